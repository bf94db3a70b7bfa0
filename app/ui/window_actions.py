"""The window's actions: menus, toolbar, shortcuts and the context menu, and what each does.

Single-publication actions work on the selected row; state changes, archive, metatags,
collection and schedule work on the whole selection, with one confirmation. Everything
lands in the library at once and reaches the server at the next sync.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox, QStyle, QToolBar

from app.mirror.sync import SyncReport
from app.ui.bulk_edit import BulkEditor
from app.ui.menus import fill_menu
from app.ui.new_publication import NewPublicationFlow

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

STATE_ACTIONS = (
    ("online", "Put &online", "Ctrl+Shift+O", "Publish: readers can find and open it"),
    (
        "unlisted",
        "Put online &unlisted",
        "Ctrl+Shift+U",
        "Online for people with the link, hidden from lists and search engines",
    ),
    ("offline", "Take o&ffline", "Ctrl+Shift+F", "Readers can no longer open it"),
)


class WindowActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = window.workspace
        self.bulk = BulkEditor(window)
        self.creator = NewPublicationFlow(window)
        self.by_name: dict[str, QAction] = {}

    # --- building ---------------------------------------------------------------------------

    def _action(
        self,
        name: str,
        text: str,
        slot: Callable[[], Any],
        shortcut: str | QKeySequence.StandardKey | None = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        if icon is not None:
            action.setIcon(self.window.style().standardIcon(icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.by_name[name] = action
        return action

    def install(self) -> None:
        sp = QStyle.StandardPixmap
        a = self._action
        new = a(
            "new",
            "&New publication from PDF…",
            self.new_publication,
            QKeySequence.StandardKey.New,
            "Create a publication from a PDF file (or drop PDFs onto the window)",
            sp.SP_FileDialogNewFolder,
        )
        demo = a(
            "demo",
            "Load &demo workspace",
            self.load_demo,
            None,
            "Fill this computer's library with sample catalogues",
        )
        settings = a(
            "settings",
            "&Settings…",
            self.open_settings,
            QKeySequence.StandardKey.Preferences,
            "Which server to use, and its API key",
        )
        quit_ = a("quit", "&Quit", self.window.close, QKeySequence.StandardKey.Quit)
        states = [
            a(name, text, lambda n=name: self.bulk.set_state(n), key, tip)
            for name, text, key, tip in STATE_ACTIONS
        ]
        states[0].setIcon(self.window.style().standardIcon(sp.SP_DialogYesButton))
        states[2].setIcon(self.window.style().standardIcon(sp.SP_DialogNoButton))
        archive = a(
            "archive",
            "&Archive…",
            self.bulk.archive,
            QKeySequence.StandardKey.Delete,
            "Archive the selected publications (they leave the server's lists)",
            sp.SP_TrashIcon,
        )
        assign_tags = a(
            "assign_metatags",
            "Assign &metatags…",
            self.bulk.assign_metatags,
            "Ctrl+T",
            "Add or remove metatags on the selected publications",
        )
        assign_collection = a(
            "assign_collection",
            "Put in &collection…",
            self.bulk.assign_collection,
            "Ctrl+L",
            "Move the selected publications into a collection",
        )
        schedule = a(
            "schedule",
            "&Schedule…",
            self.bulk.schedule,
            "Ctrl+Shift+S",
            "When the selected publications go online and offline",
        )
        add_pages = a(
            "add_pages",
            "Add &pages…",
            lambda: self._pages("add"),
            None,
            "Insert pages of a PDF into the publication",
        )
        replace_page = a(
            "replace_page",
            "&Replace page…",
            lambda: self._pages("replace"),
            None,
            "Replace one page with a page of a PDF",
        )
        remove_page = a(
            "remove_page", "Re&move page…", lambda: self._pages("remove"), None, "Remove one page"
        )
        conversions = a(
            "conversions",
            "Con&versions…",
            self.open_conversions,
            "Ctrl+Shift+V",
            "Conversion history with live progress and failure reasons",
        )
        metatags = a(
            "metatags",
            "&Metatags…",
            self.open_metatags,
            "Ctrl+Shift+M",
            "Create, rename and delete the group's metatags",
        )
        collections = a(
            "collections",
            "&Collections…",
            self.open_collections,
            "Ctrl+Shift+C",
            "Create, rename and delete the group's collections",
        )
        feeds = a(
            "feeds",
            "&Product feeds…",
            self.open_feeds,
            "Ctrl+Shift+P",
            "Import the group's product catalogue from a feed",
        )
        sync = a(
            "sync",
            "&Sync now",
            self.window.sync.sync_now,
            QKeySequence.StandardKey.Refresh,
            "Send local changes and fetch the server's",
            sp.SP_BrowserReload,
        )
        conflicts = a(
            "conflicts",
            "&Conflicts…",
            self.open_conflicts,
            None,
            "Choose between your version and the server's",
        )
        outbox = a(
            "outbox",
            "&Waiting changes…",
            self.open_outbox,
            None,
            "Changes not yet accepted by the server; retry or discard refused ones",
        )
        edit_hotspots = a(
            "edit_hotspots",
            "Open in &hotspot editor",
            self.open_editor,
            "Ctrl+E",
            "Place and edit the publication's hotspots on its pages",
        )
        edit_pdf = a(
            "edit_pdf",
            "Edit hotspots in a &PDF…",
            self.open_pdf_editor,
            "Ctrl+Shift+E",
            "Open a local PDF in the hotspot editor (its hotspots are its annotations)",
        )
        about = a("about", "&About Folio", self.about)

        bar = self.window.menuBar()
        fill_menu(bar.addMenu("&File"), [new, edit_pdf, None, demo, settings, None, quit_])
        fill_menu(
            bar.addMenu("&Publication"),
            [
                *states,
                archive,
                None,
                assign_tags,
                assign_collection,
                schedule,
                None,
                edit_hotspots,
                add_pages,
                replace_page,
                remove_page,
                None,
                conversions,
            ],
        )
        fill_menu(bar.addMenu("&Group"), [metatags, collections, feeds])
        fill_menu(bar.addMenu("&Sync"), [sync, conflicts, outbox])
        fill_menu(bar.addMenu("&Help"), [about])

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (
            new,
            None,
            states[0],
            states[1],
            states[2],
            archive,
            None,
            conversions,
            feeds,
            None,
            sync,
        ):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.window.addToolBar(toolbar)
        self.window.table.customContextMenuRequested.connect(self._context_menu)
        self.update_enabled([])

    def _context_menu(self, position: QPoint) -> None:
        names = [
            "online",
            "unlisted",
            "offline",
            "archive",
            None,
            "assign_metatags",
            "assign_collection",
            "schedule",
            None,
            "add_pages",
            "replace_page",
            "remove_page",
            "conversions",
        ]
        menu = QMenu(self.window)
        fill_menu(menu, [self.by_name[n] if n else None for n in names])
        menu.exec(self.window.table.viewport().mapToGlobal(position))

    def update_enabled(self, ids: list[int]) -> None:
        """What the selection allows: one publication, several, or a group."""
        some, one = bool(ids), len(ids) == 1
        synced_one = one and ids[0] > 0
        for name in (
            "online",
            "unlisted",
            "offline",
            "archive",
            "assign_metatags",
            "assign_collection",
            "schedule",
        ):
            self.by_name[name].setEnabled(some)
        for name in ("edit_hotspots", "add_pages", "replace_page", "remove_page", "conversions"):
            action = self.by_name[name]
            action.setEnabled(synced_one)
            action.setToolTip(
                action.statusTip()
                if synced_one or not one
                else "Available once the publication reached the server (after the next sync)"
            )
        group = self.window.current_group is not None
        for name in ("metatags", "collections", "feeds"):
            action = self.by_name[name]
            action.setEnabled(group)
            action.setToolTip(action.statusTip() if group else "Choose a group on the left first")

    # --- handlers -------------------------------------------------------------------------------

    def new_publication(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self.window,
            "New publication from PDF",
            str(Path.home()),
            "PDF files (*.pdf);;All files (*)",
        )
        if files:
            self.new_publications([Path(name) for name in files])

    def new_publications(self, paths: list[Path]) -> None:
        self.creator.start(paths)

    def _one_selected(self) -> tuple[int, int] | None:
        """(group id, publication id) of the one selected publication."""
        ids = self.window.selected_ids()
        if len(ids) != 1:
            return None
        row = self.window.model.row_data(self.window.model.row_of(ids[0]) or 0)
        if row is None:
            return None
        return row.group_id, row.id

    def _pages(self, mode: str) -> None:
        from app.ui.pages_dialog import PagesDialog

        chosen = self._one_selected()
        if chosen is not None:
            _modal(PagesDialog(self.workspace, chosen[0], chosen[1], mode, self.window))

    def open_editor(self) -> None:
        from app.ui.editor.editor_opening import open_publication

        chosen = self._one_selected()
        if chosen is not None:
            open_publication(chosen[1], self.workspace, self.window)

    def open_pdf_editor(self) -> None:
        from app.ui.editor.editor_opening import open_pdf

        name, _filter = QFileDialog.getOpenFileName(
            self.window, "Edit hotspots in a PDF", str(Path.home()), "PDF files (*.pdf)"
        )
        if name:
            open_pdf(Path(name), self.workspace, self.window)

    def open_conversions(self) -> None:
        from app.ui.conversion_dialog import ConversionHistoryDialog

        chosen = self._one_selected()
        if chosen is not None:
            _modal(ConversionHistoryDialog(self.workspace, chosen[0], chosen[1], self.window))

    def _group_or_warn(self) -> int | None:
        group = self.window.current_group
        if group is None:
            QMessageBox.information(
                self.window, "Choose a group", "Choose a group on the left first."
            )
        return group

    def open_metatags(self) -> None:
        from app.ui.tag_managers import MetatagManager

        group = self._group_or_warn()
        if group is not None:
            _modal(MetatagManager(self.workspace, group, self.window))

    def open_collections(self) -> None:
        from app.ui.tag_managers import CollectionManager

        group = self._group_or_warn()
        if group is not None:
            _modal(CollectionManager(self.workspace, group, self.window))

    def open_feeds(self) -> None:
        from app.ui.feed_dialog import ProductFeedDialog

        group = self._group_or_warn()
        if group is not None:
            _modal(ProductFeedDialog(self.workspace, group, self.window))

    def open_conflicts(self) -> None:
        from app.ui.conflict_dialog import ConflictDialog

        _modal(ConflictDialog(self.workspace, self.window))

    def open_outbox(self, only_ids: list[int] | None = None) -> None:
        from app.ui.outbox_dialog import OutboxDialog

        _modal(OutboxDialog(self.workspace, self.window, only_ids=only_ids))

    def open_settings(self) -> None:
        from app.ui.launch import SETTINGS_SERVER_KEY, chosen_server
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.workspace, self.window)
        _modal(dialog)
        chosen = QSettings().value(SETTINGS_SERVER_KEY) or None
        # A saved choice (or a new key) takes effect at once, unless FOLIO_SERVER_URL
        # overrides Settings anyway.
        if dialog.saved and chosen_server(None) == chosen:
            self.window.request_restart()

    def load_demo(self) -> None:
        from app.ui.demo_loader import load_demo

        load_demo(self.window)

    def about(self) -> None:
        from app import __version__

        data = self.workspace.paths.data_dir
        QMessageBox.about(
            self.window,
            "About Folio",
            f"<b>Folio {__version__}</b><p>Publications, hotspots and their API server.</p>"
            f"<p>Server: {self.workspace.server_label}<br>Data: {data}</p>",
        )

    def sync_finished(self, report: SyncReport) -> None:
        self.bulk.sync_finished(report)


def _modal(dialog: QDialog) -> None:
    """Run a dialog and free it afterwards (it would otherwise live as long as the window)."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.exec()
