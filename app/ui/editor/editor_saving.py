"""Saving the editor's hotspots (into the PDF, or to the server through the library's
outbox), CSV export and import, the product catalogue to check SKUs against, and replacing a
page with a preview of where its hotspots land.

Each runs in a worker; the window stays usable and says what happened in its status bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from app.core.enums import EntityType
from app.core.errors import FolioError
from app.core.hotspot_csv import export_csv, import_csv
from app.mirror.library import ChangeSet
from app.ui.editor.model import EditorHotspot
from app.ui.editor.sources import SentChanges, after_sending, send_changes, server_changes
from app.ui.messages import describe
from app.ui.page_sources import count_pdf_pages
from app.ui.pdf_thread import pdf_runner
from app.ui.prompts import show_error, show_info

if TYPE_CHECKING:
    from app.ui.editor.editor_window import EditorWindow

log = logging.getLogger(__name__)
PREVIEW_SCALE = 1.0  # pixels per point for the replacement preview's two pages
MAX_LISTED = 6


class EditorSaving(QObject):
    """A child of its window, so its connection to the workspace ends with the window."""

    def __init__(self, window: EditorWindow) -> None:
        super().__init__(window)
        self.window = window
        self.close_after = False
        # Every temporary id a sync swapped for the server's: a sync may adopt a new
        # hotspot before the editor noted the temporary id its save got.
        self.swapped: dict[int, int] = {}
        if window.workspace is not None:
            window.workspace.adopted.connect(self._adopted)

    # --- guards -------------------------------------------------------------------------

    def _blocked(self) -> bool:
        """Say what must be fixed first, and show the first one, when a save can't work."""
        blocking = self.window.lint.blocking()
        if not blocking:
            return False
        lines = "\n".join(f"• Page {f.page}: {f.message}" for f in blocking[:MAX_LISTED])
        more = len(blocking) - MAX_LISTED
        if more > 0:
            lines += f"\n…and {more} more (see the Problems panel)."
        show_error(self.window, "Fix these hotspots first", f"Nothing was saved.\n\n{lines}")
        state = self.window.model.state
        if blocking[0].index < len(state):
            key = state[blocking[0].index].key
            self.window.editor.select([key])
            self.window.canvas.ensure_visible(key)
        return True

    def _start(self, text: str) -> None:
        # Nothing changes while the save runs: what is written is what the editor shows.
        self.window.busy = True
        self.window.set_editing_locked(True)
        self.window.statusBar().showMessage(text)

    def _finish(self, text: str) -> None:
        self.window.busy = False
        self.window.set_editing_locked(False)
        self.window.statusBar().showMessage(text, 15_000)

    def _close_if_asked(self) -> None:
        if self.close_after and not self.window.editor.dirty:
            # Later: this may run inside the window's closeEvent, where close() is ignored.
            QTimer.singleShot(0, self.window, self.window.close)
        self.close_after = False

    def _failed(self, title: str, exc: BaseException) -> None:
        self.window.busy = False
        self.window.set_editing_locked(False)
        self.close_after = False
        self.window.statusBar().clearMessage()
        show_error(self.window, title, describe(exc))

    # --- saving -------------------------------------------------------------------------

    def save(self, close_after: bool = False) -> None:
        if self.window.busy:
            return
        self.window.properties.commit_pending()
        self.close_after = close_after
        if self.window.publication is not None:
            self._save_to_library()
        elif self.window.pdf_session is not None:
            self._save_pdf(self.window.pdf_session.path)

    def save_as(self) -> None:
        session = self.window.pdf_session
        if session is None or self.window.busy:
            return
        suggested = session.path.with_name(f"{session.path.stem} (hotspots).pdf")
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Save PDF as", str(suggested), "PDF files (*.pdf)"
        )
        if name:
            target = Path(name if name.lower().endswith(".pdf") else f"{name}.pdf")
            self._save_pdf(target)

    def _save_pdf(self, target: Path) -> None:
        window = self.window
        session = window.pdf_session
        if session is None or self._blocked():
            self.close_after = False
            return
        from app.pdf.hotspot_file import save_hotspots

        hotspots = [item.hotspot for item in window.model.state]
        replacements = dict(window.replacements)
        index = window.editor.undo_stack.index()
        self._start(f"Saving into {target.name}…")
        pdf_runner().run(
            lambda _context: save_hotspots(
                session.path, hotspots, target, page_replacements=replacements
            ),
            name="save hotspots into pdf",
            owner=window,
            on_done=lambda saved: self._pdf_saved(saved, target, index),
            on_error=lambda exc: self._failed("Not saved", exc),
        )

    def _pdf_saved(self, saved: Any, target: Path, index: int) -> None:
        window = self.window
        session = window.pdf_session
        assert session is not None
        in_place = target.resolve() == session.path.resolve()
        if in_place:
            if window.replacements:
                # The new pages are in the file now: the undo history can't bring the old
                # ones back from it.
                window.replacements.clear()
                window.editor.undo_stack.clear()
                window.images.reopen()
            if window.editor.undo_stack.index() == index:
                window.editor.mark_saved()
        backup = f" The file as it was is kept as {saved.backup.name}." if saved.backup else ""
        noun = "hotspot" if saved.hotspot_count == 1 else "hotspots"
        self._finish(f"Saved {saved.hotspot_count} {noun} into {target.name}.{backup}")
        self._close_if_asked()

    def _save_to_library(self) -> None:
        window = self.window
        publication, workspace = window.publication, window.workspace
        if publication is None or workspace is None or self._blocked():
            self.close_after = False
            return
        changes = server_changes(window.server_original, window.model.state, window.model.pages)
        if not changes.count:
            self._finish("Nothing to send: the library has these hotspots already.")
            window.editor.mark_saved()
            self._close_if_asked()
            return
        library = workspace.library
        state = window.model.state
        index = window.editor.undo_stack.index()
        self._start(f"Saving {changes.count} changes…")
        workspace.runner.run(
            lambda _context: send_changes(library, changes),
            name="save hotspots to the library",
            owner=window,
            on_done=lambda sent: self._library_saved(sent, state, index, changes.count),
            on_error=lambda exc: self._failed("Not saved", exc),
        )

    def _library_saved(
        self, sent: SentChanges, state: tuple[EditorHotspot, ...], index: int, count: int
    ) -> None:
        window = self.window
        # New hotspots now have (temporary) ids in the library: the next save updates them.
        window.editor.set_server_ids(sent.created)
        window.server_original = after_sending(window.server_original, state, sent)
        late = {old: new for old, new in self.swapped.items() if old in sent.created.values()}
        if late:
            self._swap(late)
        assert window.workspace is not None
        if sent.count:
            ids = tuple(sent.created.values())
            window.workspace.changed.emit(ChangeSet(EntityType.HOTSPOT, ids))
        if sent.error is not None:
            self._failed(
                "Not all saved",
                FolioError(
                    f"{sent.count} of {count} changes were saved; the library refused "
                    f"the next one: {describe(sent.error)}"
                ),
            )
            return
        if window.editor.undo_stack.index() == index:
            window.editor.mark_saved()
        noun = "change" if count == 1 else "changes"
        self._finish(f"Saved {count} {noun}; they are sent to the server at the next sync.")
        self._close_if_asked()

    def _adopted(self, adopted: list[tuple[str, int, int]]) -> None:
        swaps = {old: new for kind, old, new in adopted if kind == EntityType.HOTSPOT.value}
        self.swapped.update(swaps)
        if swaps and self.window.publication is not None:
            self._swap(swaps)

    def _swap(self, swaps: dict[int, int]) -> None:
        self.window.editor.swap_server_ids(swaps)
        self.window.server_original = tuple(
            replace(item, server_id=swaps.get(item.server_id, item.server_id))
            if item.server_id is not None
            else item
            for item in self.window.server_original
        )

    def publish(self) -> None:
        """Upload this PDF (saved first) as a new publication in a group of the library."""
        window = self.window
        session, workspace = window.pdf_session, window.workspace
        if session is None or workspace is None:
            return
        if window.editor.dirty or window.replacements:
            show_info(window, "Save first", "Save the PDF first, so the upload has your hotspots.")
            return
        self._choose_group("Upload as new publication", "Group:", self._upload_to)

    def _upload_to(self, group_id: int, name: str) -> None:
        window = self.window
        session, workspace = window.pdf_session, window.workspace
        assert session is not None and workspace is not None
        fields = {"title": session.path.stem[:250], "source_path": str(session.path)}
        workspace.runner.run(
            lambda _context: workspace.library.create_publication(group_id, fields),
            name="upload pdf as publication",
            owner=window,
            on_done=lambda change: (
                workspace.changed.emit(change),
                self._finish(f"“{session.path.stem}” is queued for upload to {name}."),
            ),
            on_error=lambda exc: self._failed("Not uploaded", exc),
        )

    # --- CSV ----------------------------------------------------------------------------

    def export_csv(self) -> None:
        window = self.window
        name, _ = QFileDialog.getSaveFileName(
            window, "Export hotspots", f"{window.document_title} hotspots.csv", "CSV (*.csv)"
        )
        if not name:
            return
        text = export_csv([item.hotspot for item in window.model.state])
        path = Path(name)
        window.workspace_runner().run(
            lambda _context: path.write_text(text, encoding="utf-8"),
            name="export csv",
            owner=window,
            on_done=lambda _r: self._finish(
                f"Exported {len(window.model.state)} hotspots to {path.name}."
            ),
            on_error=lambda exc: self._failed("Not exported", exc),
        )

    def import_csv(self) -> None:
        window = self.window
        name, _ = QFileDialog.getOpenFileName(window, "Import hotspots", "", "CSV (*.csv)")
        if not name:
            return
        path, count = Path(name), window.model.page_count
        window.workspace_runner().run(
            lambda _context: import_csv(path.read_text(encoding="utf-8-sig"), count),
            name="import csv",
            owner=window,
            on_done=lambda hotspots: self._imported(path, hotspots),
            on_error=lambda exc: self._failed("Not imported", exc),
        )

    def _imported(self, path: Path, hotspots: list[Any]) -> None:
        window = self.window
        box = QMessageBox(window)
        box.setWindowTitle("Import hotspots")
        box.setText(f"{path.name} has {len(hotspots)} hotspots.")
        box.setInformativeText("Replace the document's hotspots with them, or add them?")
        replace_button = box.addButton("Replace all", QMessageBox.ButtonRole.DestructiveRole)
        add_button = box.addButton("Add", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(add_button)
        box.exec()
        clicked = box.clickedButton()
        if clicked is add_button:
            window.editor.add(hotspots, f"Import {path.name}")
        elif clicked is replace_button:
            window.editor.replace_all(hotspots, f"Import {path.name}")
        else:
            return
        self._finish(f"Imported {len(hotspots)} hotspots from {path.name}; undo takes them back.")

    # --- catalogue ----------------------------------------------------------------------

    def load_catalogue(self, group_id: int) -> None:
        workspace = self.window.workspace
        if workspace is None:
            return
        library = workspace.library
        workspace.runner.run(
            lambda _context: {
                str(item.data.get("sku")): str(item.data.get("title") or "")
                for item in library.products(group_id)
            },
            name="load catalogue",
            owner=self.window,
            on_done=self._catalogue_loaded,
            on_error=lambda exc: log.info("no catalogue: %s", exc),
        )

    def _catalogue_loaded(self, products: dict[str, str]) -> None:
        catalogue = products or None  # an empty catalogue would call every SKU unknown
        self.window.properties.set_catalogue(catalogue)
        self.window.lint.set_catalogue(catalogue)

    def choose_catalogue(self) -> None:
        workspace = self.window.workspace
        if workspace is None:
            show_info(
                self.window,
                "No library",
                "Open the editor from the Folio window to "
                "check SKUs against a group's product catalogue.",
            )
            return
        self._choose_group(
            "Product catalogue",
            "Check SKUs against the catalogue of:",
            lambda group_id, _name: self.load_catalogue(group_id),
        )

    def _choose_group(self, title: str, label: str, then: Callable[[int, str], None]) -> None:
        """Ask for one of the library's groups (read in a worker), then ``then(id, name)``."""
        workspace = self.window.workspace
        assert workspace is not None
        library = workspace.library

        def ask(groups: list[Any]) -> None:
            if not groups:
                show_error(self.window, "No group", "The library has no group yet: sync first.")
                return
            names = [str(g.data.get("title") or f"Group {g.id}") for g in groups]
            name, ok = QInputDialog.getItem(self.window, title, label, names, 0, False)
            if ok:
                then(groups[names.index(name)].id, name)

        workspace.runner.run(
            lambda _context: library.groups(),
            name="groups",
            owner=self.window,
            on_done=ask,
            on_error=lambda exc: self._failed("Can't read the library", exc),
        )

    # --- page replacement ---------------------------------------------------------------

    def replace_page(self) -> None:
        window = self.window
        if window.pdf_session is None or window.busy:
            return
        page_number = window.canvas.current_page()
        name, _ = QFileDialog.getOpenFileName(
            window, f"Replace page {page_number} with a page of", "", "PDF files (*.pdf)"
        )
        if not name:
            return
        source = Path(name)
        pdf_runner().run(
            lambda _context: count_pdf_pages(source),
            name="count pages",
            owner=window,
            on_done=lambda count: self._pick_source_page(page_number, source, count),
            on_error=lambda exc: self._failed("Can't use this file", exc),
        )

    def _pick_source_page(self, page_number: int, source: Path, count: int) -> None:
        source_page = 1
        if count > 1:
            source_page, ok = QInputDialog.getInt(
                self.window,
                "Which page",
                f"{source.name} has {count} pages. Use page:",
                1,
                1,
                count,
            )
            if not ok:
                return
        from app.ui.editor.page_preview import preview_images

        current = self.window.replacements.get(
            page_number, (self.window.pdf_session.path, page_number)
        )  # type: ignore[union-attr]
        pdf_runner().run(
            lambda _context: preview_images(current, (source, source_page), PREVIEW_SCALE),
            name="preview replacement",
            owner=self.window,
            on_done=lambda result: self._preview(page_number, source, source_page, result),
            on_error=lambda exc: self._failed("Can't use this page", exc),
        )

    def _preview(self, page_number: int, source: Path, source_page: int, result: Any) -> None:
        from app.ui.editor.replace_preview import ReplacePagePreview

        old_image, new_image, new_box = result
        window = self.window
        old_page = window.model.page(page_number)
        hotspots = [item.hotspot for item in window.model.on_page(page_number)]
        dialog = ReplacePagePreview(
            page_number,
            QImage(old_image),
            QImage(new_image),
            old_page.box,
            new_box,
            hotspots,
            f"{source.name}, page {source_page}",
            window,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            dialog.deleteLater()
            return
        kept = dialog.kept_hotspots()
        dialog.deleteLater()
        window.editor.replace_page(
            page_number,
            replace(old_page, box=new_box),
            (source, source_page),
            kept,
            window.replacements,
            window.show_page_source,
        )
        self._finish(
            f"Page {page_number} is replaced in the editor; saving writes it into the PDF."
        )
