"""Above the table: state, collection and metatag filters and a search box."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.core.enums import EntityType
from app.mirror.library import ChangeSet, Item
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


@dataclass(frozen=True)
class FilterChoices:
    """A group's collections and metatags, read in a worker for the read ``generation``."""

    generation: int
    collections: list[Item]
    metatags: list[Item]


class FilterBar(QWidget):
    """Emits ``changed(fields)`` with PublicationQuery fields to replace."""

    changed = Signal(dict)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._group_id: int | None = None
        self._generation = 0
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
        workspace.changed.connect(self._workspace_changed)
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
        self._group_id = group_id
        for combo, label in ((self.collection, "All collections"), (self.metatag, "All metatags")):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            combo.setEnabled(group_id is not None)
            combo.blockSignals(False)
        if group_id is None:
            self._generation += 1  # a read still under way is for another group
            for combo in (self.collection, self.metatag):
                combo.setToolTip(
                    "Choose a group on the left to filter by its collections and metatags"
                )
            return
        self.collection.setToolTip("Show the publications of one collection")
        self.metatag.setToolTip("Show the publications with one metatag")
        self.refresh()

    def refresh(self) -> None:
        """Read the chosen group's collections and metatags again (after a sync, or an edit
        to them); the choice in each combo stays while it still exists."""
        self._generation += 1
        group_id = self._group_id
        if group_id is None:
            return
        generation, library = self._generation, self.workspace.library
        self.workspace.runner.run(
            lambda _context: FilterChoices(
                generation, library.collections(group_id), library.metatags(group_id)
            ),
            name="filters",
            owner=self,
            on_done=self._fill,
        )

    def _workspace_changed(self, change: ChangeSet | None) -> None:
        if change is None or change.entity_type in (EntityType.COLLECTION, EntityType.METATAG):
            self.refresh()

    def _fill(self, choices: FilterChoices) -> None:
        # Dropped when another group was chosen (or a newer read started) meanwhile: its
        # items would mix with the current group's.
        if choices.generation != self._generation:
            return
        collections = sorted(choices.collections, key=lambda c: _title(c).lower())
        self._refill(
            self.collection,
            "collection_id",
            "All collections",
            [(_title(item), item.id) for item in collections],
        )
        metatags = sorted(choices.metatags, key=_tag_label)
        self._refill(
            self.metatag,
            "metatag_id",
            "All metatags",
            [(_tag_label(item), item.id) for item in metatags],
        )

    def _refill(
        self, combo: QComboBox, field: str, everything: str, entries: list[tuple[str, int]]
    ) -> None:
        """Replace ``combo``'s entries, keeping its choice; when the chosen item is gone,
        "all" is chosen and the filter announced."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for label, item_id in entries:
            combo.addItem(label, item_id)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if chosen is not None and index < 0:
            self.changed.emit({field: None})

    def current(self) -> dict[str, Any]:
        return {
            "state": StateFilter(self.state.currentData()),
            "collection_id": self.collection.currentData(),
            "metatag_id": self.metatag.currentData(),
            "text": self.search.text(),
        }


def _title(item: Item) -> str:
    return str(item.data.get("title", ""))


def _tag_label(item: Item) -> str:
    return f"{item.data.get('category', '')}: {item.data.get('value', '')}"
