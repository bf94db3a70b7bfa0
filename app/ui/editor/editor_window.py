"""The hotspot editor window: thumbnails, the page canvas, the property and lint panels, and
the menus. One window per document; it works on a local PDF or a library publication.

Opening, rendering and saving run in workers (PDF work on the PyMuPDF thread); the window
only reacts. Saving and page replacement live in ``editor_saving``; menus in
``editor_actions``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from app.ui.editor.canvas import HotspotCanvas
from app.ui.editor.editing import HotspotEditor
from app.ui.editor.lint_panel import LintPanel
from app.ui.editor.model import EditorHotspot, HotspotModel
from app.ui.editor.page_images import PageImages, PdfPageImages, UrlPageImages
from app.ui.editor.property_panel import PropertyPanel
from app.ui.editor.sources import PdfSession, PublicationSession
from app.ui.editor.thumbnail_strip import ThumbnailStrip
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.workspace import Workspace

log = logging.getLogger(__name__)


class EditorWindow(QMainWindow):
    """Open one with ``for_pdf`` or ``for_publication`` (sessions loaded in a worker by
    ``editor_opening``)."""

    def __init__(
        self,
        model: HotspotModel,
        images: PageImages,
        title: str,
        workspace: Workspace | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.workspace = workspace
        self.model = model
        self.images = images
        self.document_title = title
        self.editor = HotspotEditor(model, self)
        self.pdf_session: PdfSession | None = None
        self.publication: PublicationSession | None = None
        self.server_original: tuple[EditorHotspot, ...] = ()
        self.replacements: dict[int, tuple[Path, int]] = {}
        self.busy = False
        self._runner: TaskRunner | None = None

        self.canvas = HotspotCanvas(self.editor, images, self)
        self.setCentralWidget(self.canvas)
        self.thumbnails = ThumbnailStrip(images, self)
        self.thumbnails.set_pages(model.pages)
        self.thumbnails.page_clicked.connect(self.canvas.scroll_to_page)
        self.canvas.current_page_changed.connect(self.thumbnails.show_page)
        self.properties = PropertyPanel(self.editor, self)
        self.lint = LintPanel(self.editor, self)
        self.lint.jump_requested.connect(self.canvas.ensure_visible)
        self._dock("Pages", self.thumbnails, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.properties_dock = self._dock(
            "Hotspot", self.properties, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.lint_dock = self._dock("Problems", self.lint, Qt.DockWidgetArea.RightDockWidgetArea)
        self.canvas.edit_requested.connect(lambda _key: self.properties_dock.raise_())
        self.model.changed.connect(self._update_status)
        self.lint.refreshed.connect(lambda: self.canvas.set_flagged(self.lint.flagged_keys()))
        self.editor.undo_stack.cleanChanged.connect(self._update_title)
        self.editor.selection_changed.connect(self._update_status)
        self.canvas.current_page_changed.connect(self._update_status)
        self.canvas.zoom_changed.connect(self._update_status)

        self.page_label = QLabel()
        self.zoom_label = QLabel()
        self.count_label = QLabel()
        for label in (self.count_label, self.page_label, self.zoom_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

        from app.ui.editor.editor_actions import EditorActions
        from app.ui.editor.editor_saving import EditorSaving

        self.saving = EditorSaving(self)
        self.actions_ = EditorActions(self)
        self.actions_.install()
        self.resize(1280, 860)
        self._restore_layout()
        self._update_title()
        self._update_status()

    @classmethod
    def for_pdf(
        cls, session: PdfSession, workspace: Workspace | None = None, parent: QWidget | None = None
    ) -> EditorWindow:
        model = HotspotModel(session.pages)
        model.apply(tuple(model.new_hotspot(h) for h in session.hotspots))
        window = cls(model, PdfPageImages(session.path), session.path.name, workspace, parent)
        window.pdf_session = session
        if session.warnings:
            window.statusBar().showMessage(
                f"{len(session.warnings)} annotations are not hotspots and were left as they are.",
                10_000,
            )
        window.actions_.update_enabled()
        return window

    @classmethod
    def for_publication(
        cls, session: PublicationSession, workspace: Workspace, parent: QWidget | None = None
    ) -> EditorWindow:
        model = HotspotModel(session.pages, session.hotspots)
        urls = {page.number: page.image_url for page in session.pages if page.image_url}
        sizes = {page.number: page.size for page in session.pages}
        images = UrlPageImages(urls, workspace.paths.cache_dir / "pages", sizes)
        window = cls(model, images, session.title, workspace, parent)
        window.publication = session
        window.server_original = model.state
        window.actions_.update_enabled()
        window._update_title()
        window.saving.load_catalogue(session.group_id)
        return window

    # --- layout -------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"editor-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value("editor/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("editor/state")
        if state is not None:
            self.restoreState(state)

    def _save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("editor/geometry", self.saveGeometry())
        settings.setValue("editor/state", self.saveState())

    # --- reacting -----------------------------------------------------------------------

    def _update_title(self) -> None:
        where = "" if self.publication is None else " (library)"
        # Qt shows "*" at the placeholder while there are unsaved changes.
        self.setWindowTitle(f"{self.document_title}{where}[*] — Folio hotspot editor")
        self.setWindowModified(self.editor.dirty)

    def _update_status(self, *_args: object) -> None:
        count = len(self.model.state)
        selected = len(self.editor.selected)
        text = f"{count} hotspot{'s' if count != 1 else ''}"
        if selected:
            text += f", {selected} selected"
        self.count_label.setText(text)
        page = self.canvas.current_page()
        self.page_label.setText(f"Page {page} of {self.model.page_count}")
        self.zoom_label.setText(f"{self.canvas.zoom * 100:.0f} %")
        if hasattr(self, "actions_"):  # the status shows before the menus exist
            self.actions_.update_enabled()

    def set_editing_locked(self, locked: bool) -> None:
        """No edits while a save runs (it writes what the editor shows when it started)."""
        self.canvas.set_locked(locked)
        self.properties.setEnabled(not locked)
        self.actions_.set_editing_enabled(not locked)

    def show_page_source(self, number: int, source: tuple[Path, int] | None) -> None:
        """Draw page ``number`` from another file's page (a replacement), or from the
        document again (None), as undo and redo of a replacement ask."""
        if isinstance(self.images, PdfPageImages):
            if source is None:
                self.images.clear_replacement(number)
            else:
                self.images.set_replacement(number, source[0], source[1])
        self.thumbnails.refresh_page(self.model.page(number))

    def workspace_runner(self) -> TaskRunner:
        """The runner for file and library work (a window without a library has its own)."""
        if self.workspace is not None:
            return self.workspace.runner
        if self._runner is None:
            self._runner = TaskRunner()
        return self._runner

    # --- closing ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            self.statusBar().showMessage("Wait for the save to finish.", 5000)
            event.ignore()
            return
        self.properties.commit_pending()
        if self.editor.dirty and not self._may_discard():
            event.ignore()
            return
        self._save_layout()
        self.images.close()
        event.accept()

    def _may_discard(self) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved hotspots")
        box.setText(f"Save the changes to “{self.document_title}” before closing?")
        box.setInformativeText("Your changes are lost if you don't save them.")
        save = box.addButton("Save", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Don't save", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        if clicked is cancel:
            return False
        if clicked is save:
            # The save runs in a worker; the window closes itself when it succeeded.
            self.saving.save(close_after=True)
            return False
        return True
