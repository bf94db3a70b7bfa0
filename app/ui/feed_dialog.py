"""A group's product feed imports and the catalogue they fill.

The last five imports with live status (polled every second while one is scheduled or
processing), new imports from an http(s) URL or a local XML/CSV file (uploaded first), a new
import of an existing feed with a new URL, and Delete, which also clears the catalogue.
Feed URLs are shown as the server shows them: without credentials or query values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app.client.api import FolioApi
from app.client.errors import StateConflictError
from app.ui.feed_import_rows import (
    COLUMNS,
    RUNNING,
    add_import_row,
    ending_message,
    import_details,
)
from app.ui.feed_url_dialog import FeedUrlDialog, feed_url_problem
from app.ui.live_status import OpenGuard, Poller, set_message
from app.ui.messages import describe
from app.ui.product_catalogue import CataloguePanel
from app.ui.prompts import confirm
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

POLL_MS = 1000
EMPTY_TEXT = "No imports yet: import a feed from a URL or a file."
RETRY_TEXT = "The imports are not loaded yet: asking the server again…"
FEED_FILES = "Product feeds (*.xml *.rss *.atom *.csv *.tsv *.txt);;All files (*)"
OFFLINE_TEXT = (
    "Folio is not connected to the server. Feed imports run on the server, so they can't be "
    "shown or started now; the catalogue below is as of the last sync."
)
RUNNING_TEXT = (
    "An import is still running for this group, and only one can run at a time. Wait until "
    "it has finished (its state updates here), then try again."
)


class ProductFeedDialog(QDialog):
    """``start_import``, ``import_file``, ``reimport`` and ``delete_feed`` do what the
    buttons do once the user has answered (without the file and URL dialogs)."""

    def __init__(self, workspace: Workspace, group_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.group_id = group_id
        self.feeds: list[dict[str, Any]] = []
        self._watching: set[int] = set()  # started here or seen running: report when done
        self._poll_error = False
        self._open = OpenGuard()
        self.setWindowTitle("Product feeds")
        self.setMinimumSize(760, 600)
        self.resize(860, 680)

        self.heading = QLabel("Product feeds")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._imports_box())
        self.catalogue_panel = CataloguePanel(workspace, group_id, self._open)
        # The catalogue's parts as the dialog's own: callers and tests reach them here.
        self.catalogue = self.catalogue_panel.model
        self.catalogue_count = self.catalogue_panel.count
        self.search = self.catalogue_panel.search
        self.products_view = self.catalogue_panel.view
        splitter.addWidget(self.catalogue_panel)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([300, 320])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self.poller = Poller(
            workspace.runner, self._fetch, self._show_feeds, self._poll_failed, POLL_MS, self
        )
        self._load_heading()
        self.catalogue_panel.load()
        if workspace.connection is None:
            set_message(self.notice, OFFLINE_TEXT, "bad")
            self.tree.setEnabled(False)
            self.empty.setText("The imports are shown when Folio is connected to the server.")
        else:
            self.poller.poll_now()
        self._update_buttons()

    # --- building -------------------------------------------------------------------------

    def _imports_box(self) -> QGroupBox:
        box = QGroupBox("Imports (the last five)")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep host and file name
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel("Loading…")
        self.empty.setEnabled(False)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.hide()
        self.import_url_button = QPushButton("Import from &URL…")
        self.import_url_button.setToolTip("Import the catalogue from a feed on the web")
        self.import_url_button.clicked.connect(self.ask_import_url)
        self.import_file_button = QPushButton("Import from &file…")
        self.import_file_button.setToolTip("Upload an XML (RSS, Atom) or CSV feed file")
        self.import_file_button.clicked.connect(self.ask_import_file)
        self.reimport_button = QPushButton("&Re-import…")
        self.reimport_button.setToolTip("Import the chosen feed again, from a new address")
        self.reimport_button.clicked.connect(self.ask_reimport)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip("Delete the chosen import; this clears the catalogue")
        self.delete_button.clicked.connect(self.ask_delete)
        row = QHBoxLayout()
        for button in (self.import_url_button, self.import_file_button, self.reimport_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.delete_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.details)
        layout.addLayout(row)
        return box

    # --- loading --------------------------------------------------------------------------

    def _load_heading(self) -> None:
        library, group_id = self.workspace.library, self.group_id

        def title(_context: TaskContext) -> str:
            group = next((g for g in library.groups() if g.id == group_id), None)
            return str(group.data.get("title") or "") if group is not None else ""

        self.workspace.runner.run(
            title,
            name="group title",
            on_done=self._open(self._set_heading),
            on_error=lambda _exc: None,  # the generic heading stays
        )

    def _set_heading(self, title: str) -> None:
        if title:
            self.heading.setText(f"Product feeds of “{title}”")
            self.setWindowTitle(f"Product feeds — {title}")

    def _fetch(self, _context: TaskContext) -> list[dict[str, Any]]:
        return self.workspace.api().list_product_feeds(self.group_id)

    def _poll_failed(self, exc: BaseException) -> None:
        # Keep asking on the next tick, even when nothing was running: a server that went
        # away for a moment answers again.
        self._poll_error = True
        set_message(self.notice, describe(exc), "bad")
        if not self.feeds:
            self.empty.setText(RETRY_TEXT)
        self.poller.start()

    # --- showing the imports -------------------------------------------------------------

    def _show_feeds(self, feeds: list[dict[str, Any]]) -> None:
        if self._poll_error:
            self._poll_error = False
            set_message(self.notice, "")
        chosen = self.chosen_feed()
        self.feeds = feeds
        # Rebuilt quietly: the details below follow the choice once, afterwards.
        self.tree.blockSignals(True)
        self.tree.clear()
        for feed in feeds:
            add_import_row(self.tree, feed)
        kept = chosen is not None and self.choose_feed(int(chosen["id"]))
        if feeds and not kept:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.tree.blockSignals(False)
        self.empty.setText(EMPTY_TEXT)
        self.empty.setVisible(not feeds)
        self._report_endings(feeds)
        self._selection_changed()
        if any(feed.get("state") in RUNNING for feed in feeds):
            self.poller.start()
        else:
            self.poller.stop()

    def _report_endings(self, feeds: list[dict[str, Any]]) -> None:
        """Say how an import watched here ended, and show the catalogue it left."""
        ended: list[dict[str, Any]] = []
        for feed in feeds:
            feed_id, state = int(feed["id"]), str(feed.get("state") or "")
            if state in RUNNING:
                self._watching.add(feed_id)
            elif feed_id in self._watching:
                self._watching.discard(feed_id)
                ended.append(feed)
        if not ended:
            return
        self._say(*ending_message(ended[0]))
        self.catalogue_panel.load()
        self.workspace.changed.emit(None)  # product hotspots resolve against the new catalogue

    def chosen_feed(self) -> dict[str, Any] | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        feed_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((feed for feed in self.feeds if feed.get("id") == feed_id), None)

    def choose_feed(self, feed_id: int) -> bool:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item.data(0, Qt.ItemDataRole.UserRole) == feed_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _selection_changed(self) -> None:
        feed = self.chosen_feed()
        self._update_buttons()
        set_message(self.details, *(import_details(feed) if feed is not None else ("", "")))

    def _update_buttons(self) -> None:
        online = self.workspace.connection is not None
        feed = self.chosen_feed()
        self.import_url_button.setEnabled(online)
        self.import_file_button.setEnabled(online)
        self.reimport_button.setEnabled(online and feed is not None)
        self.delete_button.setEnabled(online and feed is not None)

    def _say(self, text: str, tone: str = "") -> None:
        set_message(self.status, text, tone)

    # --- actions --------------------------------------------------------------------------

    def ask_import_url(self) -> None:
        ask = FeedUrlDialog(
            "Import a product feed",
            "The address of an RSS, Atom or CSV product feed. It replaces the group's "
            "catalogue once it has been imported.",
            "",
            self,
        )
        if ask.exec() == QDialog.DialogCode.Accepted:
            self.start_import(ask.url.text().strip())

    def ask_import_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "Import a product feed file", str(Path.home()), FEED_FILES
        )
        if name:
            self.import_file(name)

    def ask_reimport(self) -> None:
        feed = self.chosen_feed()
        if feed is None:
            return
        shown = str(feed.get("url") or "")
        hidden = "***" in shown
        ask = FeedUrlDialog(
            "Import again",
            "Import this feed again from this address."
            + (
                " Its address is shown without its credentials or query values, so enter it "
                "in full."
                if hidden
                else ""
            ),
            "" if hidden else shown,
            self,
        )
        if ask.exec() == QDialog.DialogCode.Accepted:
            self.reimport(int(feed["id"]), ask.url.text().strip())

    def ask_delete(self) -> None:
        feed = self.chosen_feed()
        if feed is None:
            return
        count = len(self.catalogue.products)
        if confirm(
            self,
            "Delete this import?",
            "Deleting an import also clears the group's catalogue "
            f"({count:,} product{'s' if count != 1 else ''}): product hotspots find no "
            "products until the next import.",
            "Delete and clear catalogue",
        ):
            self.delete_feed(int(feed["id"]))

    def start_import(self, url: str) -> None:
        """Start an import from an http(s) ``url`` (checked first)."""
        problem = feed_url_problem(url)
        if problem:
            self._say(problem, "bad")
            return
        group_id = self.group_id
        self._run(
            lambda api: api.create_product_feed(group_id, url.strip()).data,
            "Starting the import…",
        )

    def import_file(self, path: str | Path) -> None:
        """Upload the feed file at ``path``, then import it."""
        path, group_id = Path(path), self.group_id

        def upload_and_import(api: FolioApi) -> dict[str, Any]:
            source_url = api.upload_file(path)["source_url"]
            return api.create_product_feed(group_id, source_url).data

        self._run(upload_and_import, f"Uploading “{path.name}”…")

    def reimport(self, feed_id: int, url: str) -> None:
        """Import feed ``feed_id`` again from ``url`` (checked first)."""
        problem = feed_url_problem(url)
        if problem:
            self._say(problem, "bad")
            return
        group_id = self.group_id
        self._run(
            lambda api: api.patch_product_feed(group_id, feed_id, url.strip()).data,
            "Starting the import…",
        )

    def delete_feed(self, feed_id: int) -> None:
        group_id = self.group_id

        def delete(api: FolioApi) -> None:
            api.delete_product_feed(group_id, feed_id)

        self._run(delete, "Deleting…", deleted=True)

    def _run(self, call: Callable[[FolioApi], Any], doing: str, *, deleted: bool = False) -> None:
        if self.workspace.connection is None:
            self._say(OFFLINE_TEXT, "bad")
            return
        self._say(doing)
        self.workspace.runner.run(
            lambda _context: call(self.workspace.api()),
            name="product feed",
            on_done=self._open(lambda result: self._acted(result, deleted)),
            on_error=self._open(self._refused),
        )

    def _acted(self, feed: dict[str, Any] | None, deleted: bool) -> None:
        if deleted:
            self._say("The import was deleted and the group's catalogue cleared.", "good")
            self.catalogue_panel.load()
            self.workspace.changed.emit(None)
        elif feed is not None:
            self._watching.add(int(feed["id"]))
            self._say("Importing… the state above updates by itself.")
        self.poller.poll_now()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, StateConflictError) and exc.code == "feed_import_running":
            self._say(RUNNING_TEXT, "bad")
        else:
            self._say(describe(exc), "bad")
        self.poller.poll_now()

    def done(self, result: int) -> None:
        self._open.closed = True
        self.poller.close()
        super().done(result)
