"""Above the table: state, collection and metatag filters and a search box."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.mirror.library import Item
from app.mirror.publication_query import StateFilter
from app.ui.workspace import Workspace

STATE_LABELS = {
    StateFilter.ALL: "All states",
    StateFilter.ONLINE: "Online",
    StateFilter.UNLISTED: "Unlisted",
    StateFilter.OFFLINE: "Offline",
    StateFilter.PENDING: "Waiting to sync",
    StateFilter.ATTENTION: "Conflicts and refused changes",
}
SEARCH_DELAY_MS = 250


class FilterBar(QWidget):
    """Emits ``changed(fields)`` with PublicationQuery fields to replace."""

    changed = Signal(dict)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.state = QComboBox()
        for value, label in STATE_LABELS.items():
            self.state.addItem(label, value.value)
        self.state.setToolTip("Show publications in one state only")
        self.collection = QComboBox()
        self.collection.setToolTip("Show the publications of one collection")
        self.metatag = QComboBox()
        self.metatag.setToolTip("Show the publications with one metatag")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, slug or id  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.count = QLabel("")
        self.count.setMinimumWidth(120)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 3)
        layout.addWidget(self.state, 1)
        layout.addWidget(self.collection, 1)
        layout.addWidget(self.metatag, 1)
        layout.addWidget(self.count)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit_text)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self._emit_text)
        self.state.currentIndexChanged.connect(self._emit_state)
        self.collection.currentIndexChanged.connect(
            lambda _n: self.changed.emit({"collection_id": self.collection.currentData()})
        )
        self.metatag.currentIndexChanged.connect(
            lambda _n: self.changed.emit({"metatag_id": self.metatag.currentData()})
        )
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self.search.setFocus)
        self.set_group(None)

    def _emit_text(self) -> None:
        self._timer.stop()
        self.changed.emit({"text": self.search.text()})

    def _emit_state(self, _number: int) -> None:
        self.changed.emit({"state": StateFilter(self.state.currentData())})

    def set_count(self, count: int, loading: bool = False) -> None:
        self.count.setText("loading…" if loading else f"{count:,} publications")

    def set_group(self, group_id: int | None) -> None:
        """Collections and metatags belong to a group: offered once one is chosen."""
        for combo, label in ((self.collection, "All collections"), (self.metatag, "All metatags")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            combo.setEnabled(group_id is not None)
            combo.blockSignals(False)
        if group_id is None:
            for combo in (self.collection, self.metatag):
                combo.setToolTip(
                    "Choose a group on the left to filter by its collections and metatags"
                )
            return
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: (library.collections(group_id), library.metatags(group_id)),
            name="filters",
            on_done=self._fill,
        )

    def _fill(self, result: tuple[list[Item], list[Item]]) -> None:
        collections, metatags = result
        self.collection.blockSignals(True)
        for item in sorted(collections, key=lambda c: str(c.data.get("title", "")).lower()):
            self.collection.addItem(str(item.data.get("title", "")), item.id)
        self.collection.blockSignals(False)
        self.metatag.blockSignals(True)
        for item in sorted(metatags, key=_tag_label):
            self.metatag.addItem(_tag_label(item), item.id)
        self.metatag.blockSignals(False)

    def current(self) -> dict[str, Any]:
        return {
            "state": StateFilter(self.state.currentData()),
            "collection_id": self.collection.currentData(),
            "metatag_id": self.metatag.currentData(),
            "text": self.search.text(),
        }


def _tag_label(item: Item) -> str:
    return f"{item.data.get('category', '')}: {item.data.get('value', '')}"
