"""The main window: groups on the left, the publications table with its filters in the
middle, the selected publication's details on the right, sync state in the status bar."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.mirror.library import ChangeSet, MirrorStatus
from app.mirror.publication_query import PublicationQuery, StateFilter
from app.mirror.sync import SyncReport
from app.ui.detail_panel import DetailPanel
from app.ui.filter_bar import FilterBar
from app.ui.group_tree import ALL, GroupTree
from app.ui.publication_model import COLUMN_INDEX, COLUMNS, PublicationTableModel
from app.ui.state_badge import StateBadgeDelegate
from app.ui.sync_controller import SyncController
from app.ui.sync_status import SyncStatusWidget
from app.ui.thumbnails import THUMBNAIL_HEIGHT, ThumbnailCache
from app.ui.window_actions import WindowActions
from app.ui.workspace import Workspace

log = logging.getLogger(__name__)

SYNC_AFTER_EDIT_MS = 800
ROW_HEIGHT = THUMBNAIL_HEIGHT + 8


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, sync: SyncController) -> None:
        super().__init__()
        self.workspace = workspace
        self.sync = sync
        self.setWindowTitle(f"Folio — {workspace.server_label}")
        self.setAcceptDrops(True)
        self.thumbnails = ThumbnailCache(workspace.paths.cache_dir / "thumbnails")
        self.model = PublicationTableModel(workspace.library, workspace.runner, self.thumbnails)
        self._wanted_selection: list[int] = []
        self._scroll_to_wanted = False
        # Temporary ids of offline creations -> the ids the server gave them (last sync).
        self._swaps: dict[int, int] = {}
        # Set when Settings chose another server: the window closes and opens again on it.
        self.restart_requested = False

        self.groups = GroupTree(workspace)
        self.filters = FilterBar(workspace)
        self.table = self._make_table()
        self.empty_hint = self._make_empty_hint()
        # The panel scrolls its own form, keeping its Save button and banners in view.
        self.detail = DetailPanel(workspace)
        self.detail.setMinimumWidth(340)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(6, 6, 6, 0)
        middle_layout.addWidget(self.filters)
        middle_layout.addWidget(self.table, 1)
        middle_layout.addWidget(self.empty_hint, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.groups)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([220, 760, 380])
        self.setCentralWidget(self.splitter)

        self.status = SyncStatusWidget()
        self.statusBar().addPermanentWidget(self.status, 1)
        self.actions = WindowActions(self)
        self.actions.install()

        self._sync_soon = QTimer(self)
        self._sync_soon.setSingleShot(True)
        self._sync_soon.setInterval(SYNC_AFTER_EDIT_MS)
        self._sync_soon.timeout.connect(self.sync.sync_now)
        self._connect_signals()
        self.restore_layout()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSortingEnabled(True)
        table.sortByColumn(COLUMN_INDEX["title"], Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(COLUMN_INDEX["title"], QHeaderView.ResizeMode.Stretch)
        widths = {
            "cover": 52,
            "state": 92,
            "pages": 60,
            "language": 80,
            "updated": 130,
            "sync": 100,
            "id": 70,
        }
        for key, width in widths.items():
            table.setColumnWidth(COLUMN_INDEX[key], width)
        table.setItemDelegateForColumn(COLUMN_INDEX["state"], StateBadgeDelegate(table))
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        return table

    def _make_empty_hint(self) -> QWidget:
        """What an empty library shows instead of an empty table: how to begin."""
        hint = QWidget()
        self.empty_text = QLabel()
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setWordWrap(True)
        self.demo_button = QPushButton("Load the demo workspace")
        self.demo_button.setToolTip("Sample catalogues with pages, hotspots and a product feed")
        self.demo_button.clicked.connect(lambda: self.actions.load_demo())
        layout = QVBoxLayout(hint)
        layout.addStretch(1)
        layout.addWidget(self.empty_text)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        hint.hide()
        return hint

    def _connect_signals(self) -> None:
        self.groups.group_selected.connect(self._group_selected)
        self.filters.changed.connect(lambda fields: self.model.update_query(**fields))
        self.model.loaded.connect(self._loaded)
        self.model.load_failed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.workspace.connected.connect(self.sync.start)
        self.workspace.connection_failed.connect(self.status.set_connection_failed)
        self.workspace.changed.connect(self._local_change)
        self.sync.started.connect(self.status.sync_started)
        self.sync.progressed.connect(self.status.sync_progress)
        self.sync.finished.connect(self._synced)
        self.sync.status_changed.connect(self._status_changed)
        self.status.sync_clicked.connect(
            lambda: self.sync.cancel() if self.sync.running else self.sync.sync_now()
        )
        self.status.conflicts_clicked.connect(self.actions.open_conflicts)
        self.detail.conflicts_requested.connect(self.actions.open_conflicts)

    # --- starting -------------------------------------------------------------------------

    def start(self) -> None:
        """Show what the library holds at once; connect and sync in the background."""
        # Before any worker starts: everything loaded so far lives as long as the window.
        # Out of the collector's sight, a full collection (which stops every thread, the
        # UI's too) costs a few milliseconds instead of ~100 ms during a big sync
        # (bench/ui_responsiveness.py).
        gc.freeze()
        self.status.set_connecting(self.workspace.server_label)
        self.groups.reload()
        self.model.set_query(self._restored_sort())
        self.sync.refresh_status()
        if self.workspace.connection is None:
            self.workspace.connect_server()
        else:
            self.sync.start()

    def _restored_sort(self) -> PublicationQuery:
        """The first query, in the order the restored header shows."""
        header = self.table.horizontalHeader()
        key = (
            COLUMNS[header.sortIndicatorSection()].sort
            if 0 <= header.sortIndicatorSection() < len(COLUMNS)
            else None
        )
        if key is None:
            header.setSortIndicator(COLUMN_INDEX["title"], Qt.SortOrder.AscendingOrder)
            return PublicationQuery()
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        return PublicationQuery(sort=key, descending=descending)

    # --- selection ------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        """The selected publications in table order; from the selection's ranges, so
        Ctrl+A on 100,000 rows costs milliseconds, not seconds."""
        rows: set[int] = set()
        for selected in self.table.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        return [self.model.id_at(row) for row in sorted(rows)]

    def select_ids(self, ids: list[int], *, scroll: bool = True) -> None:
        """Select these publications in one step (one selection-changed signal, however
        many rows); ``scroll`` brings the first into view."""
        rows = sorted(row for row in map(self.model.row_of, ids) if row is not None)
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        start = previous = None
        for row in [*rows, None]:
            if start is not None and (row is None or row != previous + 1):
                selection.select(
                    self.model.index(start, 0), self.model.index(previous, last_column)
                )
                start = None
            if row is not None and start is None:
                start = row
            previous = row
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        if rows:
            current = self.model.index(rows[0], COLUMN_INDEX["title"])
            self.table.selectionModel().setCurrentIndex(
                current, QItemSelectionModel.SelectionFlag.NoUpdate
            )
            if scroll:
                self.table.scrollTo(current)
        self.table.selectionModel().select(selection, flags)

    def request_selection(self, ids: list[int]) -> None:
        """Select (and show) these publications once the table has them, after the next
        reload."""
        self._wanted_selection = list(ids)
        self._scroll_to_wanted = True

    def _remember_selection(self) -> None:
        """Before the rows change under the view: keep the user's selection, by id (an
        offline creation under the id the server gave it)."""
        if not self._wanted_selection:
            self._wanted_selection = [self._swaps.get(i, i) for i in self.selected_ids()]
        self._swaps = {}

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        wanted = ids[0] if len(ids) == 1 else None
        self.detail.show_publication(wanted)
        editing = self.detail.publication_id
        if editing is not None and editing != wanted and self.detail.has_unsaved_changes():
            # The user cancelled leaving unsaved edits: the table goes back to them.
            selection = self.table.selectionModel()
            selection.blockSignals(True)
            self.select_ids([editing])
            selection.blockSignals(False)
            self.table.viewport().update()
            ids = [editing]
        self.actions.update_enabled(ids)

    def _loaded(self, count: int) -> None:
        self.filters.set_count(count)
        # Filters that match nothing keep the table (and its header); an empty library
        # or group says how to begin instead.
        query = self.model.query
        filtered = (
            bool(query.text.strip())
            or query.state != StateFilter.ALL
            or (query.collection_id is not None or query.metatag_id is not None)
        )
        empty = count == 0 and not filtered
        self.table.setHidden(empty)
        self.empty_hint.setVisible(empty)
        if empty:
            self.empty_text.setText(
                "No publications here yet.\n\nDrop a PDF onto this window, or use "
                "File > New publication from PDF (Ctrl+N)."
            )
            self.demo_button.setVisible(self.workspace.embedded)
        wanted, self._wanted_selection = self._wanted_selection, []
        scroll, self._scroll_to_wanted = self._scroll_to_wanted, False
        if wanted and wanted != self.selected_ids():
            # A background refresh keeps the view where the user left it.
            self.select_ids(wanted, scroll=scroll)

    def _group_selected(self, group_id: int) -> None:
        chosen = None if group_id == ALL else group_id
        self.filters.set_group(chosen)
        self.model.update_query(group_id=chosen, collection_id=None, metatag_id=None)
        self.actions.update_enabled(self.selected_ids())

    @property
    def current_group(self) -> int | None:
        return self.groups.selected_group

    # --- changes and sync -----------------------------------------------------------------

    def _local_change(self, change: ChangeSet | None) -> None:
        if change is not None and change.ids:
            self.model.refresh_ids(change.ids)
        # Again from the library: the change may move rows under the filter or the sort.
        self.model.reload()
        self.groups.reload()
        self.sync.refresh_status()
        self._sync_soon.start()

    def _synced(self, report: SyncReport) -> None:
        self.status.sync_finished(report)
        # Offline creations got their server ids: keep them selected under the new id.
        if report.adopted:
            self.workspace.adopted.emit(list(report.adopted))
        swaps = {old: new for kind, old, new in report.adopted if kind == "publication"}
        self._swaps.update(swaps)
        for old, new in swaps.items():
            self.detail.publication_adopted(old, new)
        if report.pulled or report.pushed or swaps:
            self.model.reload()
            self.groups.reload()
            self.filters.refresh()
        if report.pulled or report.pushed or swaps or report.failed or report.conflicts:
            # Refused edits and conflicts show in the panel beside their fields.
            self.detail.show_publication(self.detail.publication_id)
        self.thumbnails.forget_failures()
        self.actions.sync_finished(report)

    def _status_changed(self, status: MirrorStatus) -> None:
        self.status.show_status(status)

    # --- drag and drop ----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.actions.new_publications(paths)

    # --- layout memory ----------------------------------------------------------------------

    def restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 820)
        for name, target in (
            ("window/splitter", self.splitter),
            ("window/table", self.table.horizontalHeader()),
        ):
            state = settings.value(name)
            if isinstance(state, QByteArray) and not state.isEmpty():
                target.restoreState(state)

    def save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/table", self.table.horizontalHeader().saveState())

    def request_restart(self) -> None:
        """Close and open again (on the server Settings now name)."""
        self.restart_requested = True
        if not self.close():
            self.restart_requested = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.detail.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.sync.stop()
        event.accept()
