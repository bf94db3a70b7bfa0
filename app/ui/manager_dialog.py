"""What the metatag and collection managers share: the group's list with a sync marker per
row, Add, Rename and Delete, and the reading and writing in workers. ``tag_managers`` says
what the items are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.mirror.library import ChangeSet, Item, Library
from app.ui.change_words import follow_syncs, plural
from app.ui.entry_form import EntryForm
from app.ui.live_status import ERROR_COLOR, OpenGuard
from app.ui.messages import describe, field_errors
from app.ui.prompts import show_error
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace


@dataclass(frozen=True)
class ManagedRow:
    """One metatag or collection as the list shows it."""

    id: int
    data: dict[str, Any]
    pending: bool
    conflict: bool
    sync_error: str | None
    used_by: int


@dataclass(frozen=True)
class ManagerSnapshot:
    group_title: str
    rows: list[ManagedRow]


def sync_marker(row: ManagedRow) -> tuple[str, str]:
    """(text, tooltip) of the Sync column, as the publications table words it."""
    if row.conflict:
        return "⚠ conflict", "Changed here and on the server: open Sync > Conflicts to choose"
    if row.sync_error:
        return "✖ refused", f"The server refused the last change: {row.sync_error}"
    if row.id < 0:
        return "● waiting to sync", "Created here; sent to the server at the next sync"
    if row.pending:
        return "● waiting to sync", "Changed here; sent to the server at the next sync"
    return "", ""


class ManagerDialog(QDialog):
    """The list, its buttons and the loading; subclasses say what the items are."""

    noun = "item"
    headers: tuple[str, ...] = ()
    stretch_column = 0
    intro = ""

    # After each read of the list (tests wait for it; the dialog needs nothing else).
    loaded = Signal()

    def __init__(self, workspace: Workspace, group_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.group_id = group_id
        self.rows: list[ManagedRow] = []
        self.form: EntryForm | None = None
        self._generation = 0
        self._select_after: int | None = None
        # A worker may answer after the dialog closed (and Qt deleted its widgets).
        self._open = OpenGuard()
        self.setObjectName(f"{self.noun}-manager")
        self.setWindowTitle(f"{self.noun.capitalize()}s")

        intro = QLabel(self.intro)
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.headers))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 4px; }")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(90)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.stretch_column, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_args: self.edit_selected())
        self.status = QLabel("Loading…")
        self.status.setWordWrap(True)

        self.add_button = QPushButton("&Add…")
        self.add_button.setToolTip(f"Create a {self.noun} in this group")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("&Rename…")
        self.edit_button.setToolTip(f"Change the chosen {self.noun} (or double-click it)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip(
            f"Delete the chosen {self.noun}; you see first which publications use it"
        )
        self.delete_button.clicked.connect(self.delete_selected)
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            side.addWidget(button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.tree, 1)
        middle.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(620, 420)
        self._selection_changed()

        self._stop_following = follow_syncs(parent, self._after_sync)
        self.reload()

    # --- what subclasses say ---------------------------------------------------------------

    def _items(self, library: Library) -> list[Item]:
        raise NotImplementedError

    def _using(self, library: Library, item_id: int) -> list[tuple[int, str]]:
        raise NotImplementedError

    def _cells(self, row: ManagedRow) -> list[str]:
        raise NotImplementedError

    def _sort_key(self, row: ManagedRow) -> tuple[str, ...]:
        raise NotImplementedError

    def _make_form(self, row: ManagedRow | None) -> EntryForm:
        raise NotImplementedError

    def _ask_delete(self, row: ManagedRow, users: list[tuple[int, str]]) -> None:
        raise NotImplementedError

    def name_of(self, row: ManagedRow) -> str:
        raise NotImplementedError

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again in a worker; an older read that ends later is dropped."""
        self._generation += 1
        generation = self._generation
        library = self.workspace.library
        group_id = self.group_id
        # Taken now: the worker touches nothing of the dialog, which may close meanwhile.
        items, using = self._items, self._using

        def load(_context: TaskContext) -> ManagerSnapshot:
            title = next(
                (str(g.data.get("title", "")) for g in library.groups() if g.id == group_id),
                f"Group {group_id}",
            )
            rows = [
                ManagedRow(
                    item.id,
                    item.data,
                    item.pending,
                    item.conflict,
                    item.sync_error,
                    len(using(library, item.id)),
                )
                for item in items(library)
            ]
            return ManagerSnapshot(title, rows)

        self.workspace.runner.run(
            load,
            name=f"{self.noun}s",
            on_done=self._open(lambda snapshot: self._loaded(generation, snapshot)),
            on_error=self._open(lambda exc: self._load_failed(generation, exc)),
        )

    def _after_sync(self, _report: object) -> None:
        # A sync gives items created here their server ids: the list must know them.
        if self.isVisible():
            self.reload()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._say(f"The {self.noun}s could not be read: {describe(exc)}", error=True)
            self.loaded.emit()

    def _loaded(self, generation: int, snapshot: ManagerSnapshot) -> None:
        if generation != self._generation:
            return
        chosen = self._select_after if self._select_after is not None else self.selected_id()
        self._select_after = None
        self.setWindowTitle(f"{self.noun.capitalize()}s of {snapshot.group_title}")
        self.rows = sorted(snapshot.rows, key=self._sort_key)
        self.tree.clear()
        for row in self.rows:
            item = QTreeWidgetItem([*self._cells(row), *sync_marker(row)[:1]])
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            marker_column = len(self.headers) - 1
            item.setToolTip(marker_column, sync_marker(row)[1])
            item.setTextAlignment(marker_column - 1, Qt.AlignmentFlag.AlignCenter)
            if row.conflict or row.sync_error:
                item.setForeground(marker_column, QBrush(QColor(ERROR_COLOR)))
            self.tree.addTopLevelItem(item)
            if row.id == chosen:
                item.setSelected(True)
                self.tree.setCurrentItem(item)
        if self.rows:
            self._say(f"{plural(len(self.rows), self.noun)} in this group.")
        else:
            self._say(f"This group has no {self.noun}s yet: add one with Add.")
        self._selection_changed()
        self.loaded.emit()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")

    # --- selection ---------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        return int(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else None

    def selected_row(self) -> ManagedRow | None:
        chosen = self.selected_id()
        return next((row for row in self.rows if row.id == chosen), None)

    def select(self, item_id: int) -> None:
        for number in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(number)
            if item.data(0, Qt.ItemDataRole.UserRole) == item_id:
                self.tree.setCurrentItem(item)
                item.setSelected(True)

    def _selection_changed(self) -> None:
        some = self.selected_id() is not None
        self.edit_button.setEnabled(some)
        self.delete_button.setEnabled(some)

    # --- adding and editing --------------------------------------------------------------------

    def add(self) -> None:
        self._open_form(None)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open_form(row)

    def _open_form(self, row: ManagedRow | None) -> None:
        if self.form is not None:
            self.form.close()
        self.form = self._make_form(row)
        self.form.open()

    def _land(self, form: EntryForm, change: Callable[[Library], ChangeSet]) -> None:
        """Make the change in a worker; the form closes once it landed."""
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: change(library),
            name=f"save {self.noun}",
            on_done=self._announcing(self._open(lambda result: self._landed(form, result))),
            on_error=self._open(
                lambda exc: form.show_errors(field_errors(exc) or {"": [describe(exc)]})
            ),
        )

    def _landed(self, form: EntryForm, change: ChangeSet) -> None:
        form.finish()
        self._select_after = change.ids[0] if change.ids else None
        self.reload()

    def _announcing(
        self, then: Callable[[ChangeSet | None], None]
    ) -> Callable[[ChangeSet | None], None]:
        """A callback for a change that landed: the window hears of it even when this dialog
        closed meanwhile (``then`` is guarded), so its views and the next sync follow."""
        workspace = self.workspace

        def landed(change: ChangeSet | None) -> None:
            workspace.changed.emit(change)
            then(change)

        return landed

    # --- deleting -------------------------------------------------------------------------------

    def delete_selected(self) -> None:
        """Find out who uses it (in a worker), then ask."""
        row = self.selected_row()
        if row is None:
            return
        library, using = self.workspace.library, self._using
        self.delete_button.setEnabled(False)
        self.workspace.runner.run(
            lambda _context: using(library, row.id),
            name=f"{self.noun} users",
            on_done=self._open(lambda users: self._ask_delete_then_enable(row, users)),
            on_error=self._open(lambda exc: self._failed("Delete", exc)),
        )

    def _ask_delete_then_enable(self, row: ManagedRow, users: list[tuple[int, str]]) -> None:
        self._selection_changed()
        self._ask_delete(row, users)

    def _delete(self, change: Callable[[Library], ChangeSet | None]) -> None:
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: change(library),
            name=f"delete {self.noun}",
            on_done=self._announcing(self._open(lambda _change: self.reload())),
            on_error=self._open(lambda exc: self._failed("Delete", exc)),
        )

    def _failed(self, label: str, exc: BaseException) -> None:
        self._selection_changed()
        show_error(self, f"{label} {self.noun}", describe(exc))
        self.reload()

    def done(self, result: int) -> None:
        self._open.closed = True
        self._stop_following()
        self._stop_following = lambda: None
        super().done(result)
