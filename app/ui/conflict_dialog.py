"""Conflicts: a change made here met a change made on the server to the same fields. Both
versions side by side; keep mine, keep theirs, or choose per field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.mirror.conflicts import Choice, ConflictView
from app.ui.change_words import Names, field_label, follow_syncs, load_names
from app.ui.live_status import OpenGuard
from app.ui.messages import describe
from app.ui.prompts import show_error
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

# What a deletion conflict shows of the server's version: enough to recognise the change.
SUMMARY_FIELDS = {
    "publication": (
        "title",
        "slug",
        "state",
        "description",
        "language",
        "collection_id",
        "metatag_ids",
        "schedule_online_at",
        "schedule_offline_at",
        "updated_at",
    ),
    "metatag": ("category", "value"),
    "collection": ("title",),
    "hotspot": ("type", "title", "url", "skus"),
}
HEADERS = ("Field", "Yours", "On the server", "Keep")
KEEP_COLUMN = 3
LONG_VALUE = 300


@dataclass(frozen=True)
class ConflictSnapshot:
    conflicts: list[ConflictView]
    names: Names


def _deleted_word(entity_type: str) -> str:
    return "archived" if entity_type == "publication" else "deleted"


def _deleting_verb(entity_type: str) -> str:
    return "Archive" if entity_type == "publication" else "Delete"


class ConflictDialog(QDialog):
    """Every open conflict on the left; the chosen one's two versions on the right."""

    # After each read of the list (tests wait for it; the dialog needs nothing else).
    loaded = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.conflicts: list[ConflictView] = []
        self.names = Names()
        self.choices: dict[str, QComboBox] = {}
        self._generation = 0
        self._busy = False
        # A worker may answer after the dialog closed (and Qt deleted its widgets).
        self._open = OpenGuard()
        self.setObjectName("conflict-dialog")
        self.setWindowTitle("Conflicts")

        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.currentRowChanged.connect(self._show_current)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        heading_font = QFont(self.heading.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.15)
        self.heading.setFont(heading_font)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        # Room for the Keep combo and a little air around each value.
        self.table.verticalHeader().setMinimumSectionSize(QComboBox().sizeHint().height() + 10)
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(KEEP_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.note = QLabel()
        self.note.setWordWrap(True)

        self.mine_button = QPushButton("Keep all &mine")
        self.mine_button.clicked.connect(lambda: self._resolve(Choice.MINE))
        self.theirs_button = QPushButton("Keep all &theirs")
        self.theirs_button.clicked.connect(lambda: self._resolve(Choice.THEIRS))
        self.apply_button = QPushButton("&Apply my choices")
        self.apply_button.setToolTip("Keep, for each field, the version chosen under Keep")
        self.apply_button.clicked.connect(self.apply_choices)
        resolve_row = QHBoxLayout()
        resolve_row.addWidget(self.mine_button)
        resolve_row.addWidget(self.theirs_button)
        resolve_row.addStretch(1)
        resolve_row.addWidget(self.apply_button)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(8, 0, 0, 0)
        detail_layout.setSpacing(8)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.explanation)
        detail_layout.addWidget(self.table, 1)
        detail_layout.addWidget(self.note)
        detail_layout.addLayout(resolve_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 640])

        self.empty = QLabel("Loading…")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(splitter)
        self.splitter = splitter

        intro = QLabel(
            "These were changed here and, meanwhile, on the server. Nothing is lost until you "
            "choose: keep your version, the server's, or pick per field."
        )
        intro.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.stack, 1)
        layout.addWidget(close)
        self.resize(940, 520)
        self._set_buttons(None)

        self._stop_following = follow_syncs(parent, self._after_sync)
        self.reload()

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the conflicts again in a worker; an older read that ends later is dropped."""
        self._generation += 1
        generation = self._generation
        library = self.workspace.library

        def load(_context: TaskContext) -> ConflictSnapshot:
            conflicts = library.conflicts()
            ids = [c.entity_id for c in conflicts if c.entity_type == "publication"]
            return ConflictSnapshot(conflicts, load_names(library, ids))

        self.workspace.runner.run(
            load,
            name="conflicts",
            on_done=self._open(lambda snapshot: self._loaded(generation, snapshot)),
            on_error=self._open(lambda exc: self._load_failed(generation, exc)),
        )

    def _after_sync(self, _report: object) -> None:
        if self.isVisible() and not self._busy:
            self.reload()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.empty.setText(f"The conflicts could not be read: {describe(exc)}")
            self.stack.setCurrentWidget(self.empty)
            self.loaded.emit()

    def _loaded(self, generation: int, snapshot: ConflictSnapshot) -> None:
        if generation != self._generation:
            return
        previous = self.current()
        row = self.list.currentRow()
        self.conflicts, self.names = snapshot.conflicts, snapshot.names
        self.list.blockSignals(True)
        self.list.clear()
        for conflict in self.conflicts:
            item = QListWidgetItem(self._list_text(conflict))
            item.setData(Qt.ItemDataRole.UserRole, conflict.id)
            item.setToolTip(item.text())
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.setWindowTitle(f"Conflicts ({len(self.conflicts)})" if self.conflicts else "Conflicts")
        if not self.conflicts:
            self.empty.setText(
                "No conflicts left: what you changed here and what changed on the server agree."
            )
            self.stack.setCurrentWidget(self.empty)
            self._set_buttons(None)
            self.loaded.emit()
            return
        self.stack.setCurrentWidget(self.splitter)
        ids = [c.id for c in self.conflicts]
        if previous is not None and previous.id in ids:
            row = ids.index(previous.id)
        self.list.setCurrentRow(min(max(row, 0), len(ids) - 1))
        self._show_current()
        self.loaded.emit()

    def _list_text(self, conflict: ConflictView) -> str:
        name = self.names.entity(
            conflict.entity_type, conflict.entity_id, conflict.theirs, conflict.mine
        )
        if conflict.is_delete:
            return f"{name} — {_deleted_word(conflict.entity_type)} here, changed on the server"
        fields = ", ".join(field_label(f).lower() for f in conflict.fields)
        return f"{name} — {fields}"

    # --- showing one conflict ---------------------------------------------------------------

    def current(self) -> ConflictView | None:
        row = self.list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show_current(self, _row: int = -1) -> None:
        conflict = self.current()
        self.choices = {}
        self.table.setRowCount(0)
        if conflict is None:
            self._set_buttons(None)
            return
        self.heading.setText(
            self.names.entity(
                conflict.entity_type, conflict.entity_id, conflict.theirs, conflict.mine
            )
        )
        if conflict.is_delete:
            self._show_deletion(conflict)
        else:
            self._show_fields(conflict)
        self.table.resizeRowsToContents()
        self._set_buttons(conflict)

    def _show_fields(self, conflict: ConflictView) -> None:
        theirs = conflict.theirs
        self.explanation.setText(
            "You changed "
            + ("this field" if len(conflict.fields) == 1 else "these fields")
            + " here while someone changed "
            + ("it" if len(conflict.fields) == 1 else "them")
            + " on the server. Choose which version to keep under Keep."
        )
        self.table.setColumnHidden(KEEP_COLUMN, False)
        self.table.setColumnHidden(1, False)
        self.table.horizontalHeaderItem(2).setText(HEADERS[2])
        for name in conflict.fields:
            row = self.table.rowCount()
            self.table.insertRow(row)
            base = self.names.value(name, conflict.base.get(name))
            server = (
                "(deleted on the server)"
                if theirs is None
                else self.names.value(name, theirs.get(name))
            )
            cells = [field_label(name), self.names.value(name, conflict.mine.get(name)), server]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(_shorten(text))
                tip = text if column == 0 else f"{text}\n\nBefore both changes: {base}"
                item.setToolTip(tip)
                self.table.setItem(row, column, item)
            combo = QComboBox()
            combo.addItem("Yours", Choice.MINE)
            combo.addItem("Server's", Choice.THEIRS)
            combo.setToolTip(f"Which {field_label(name).lower()} to keep")
            combo.setAccessibleName(f"Keep which {field_label(name).lower()}")
            combo.currentIndexChanged.connect(lambda _i, r=row: self._mark_choice(r))
            self.table.setCellWidget(row, KEEP_COLUMN, combo)
            self.choices[name] = combo
            self._mark_choice(row)
        others = [n for n in conflict.mine if n not in conflict.fields]
        self.note.setText(
            "Your other changes ("
            + ", ".join(field_label(n).lower() for n in others)
            + ") don't clash with the server's and are sent whichever you choose."
            if others
            else ""
        )
        self.note.setVisible(bool(others))

    def _show_deletion(self, conflict: ConflictView) -> None:
        word = _deleted_word(conflict.entity_type)
        kind = conflict.entity_type.replace("_", " ")
        self.explanation.setText(
            f"You {word} this {kind} here, but meanwhile someone changed it on the server; "
            "this is what it looks like there now. "
            f"{_deleting_verb(conflict.entity_type)} it anyway (their changes go with it), or "
            "keep the server's version: it comes back here as shown."
        )
        self.table.setColumnHidden(KEEP_COLUMN, True)
        self.table.setColumnHidden(1, True)
        self.table.horizontalHeaderItem(2).setText("On the server now")
        theirs = conflict.theirs or {}
        wanted = SUMMARY_FIELDS.get(conflict.entity_type) or sorted(theirs)
        for name in wanted:
            if theirs.get(name) in (None, "", []) or name.endswith("url"):
                continue
            row = self.table.rowCount()
            self.table.insertRow(row)
            server = self.names.value(name, theirs.get(name))
            for column, text in ((0, field_label(name)), (2, server)):
                item = QTableWidgetItem(_shorten(text))
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.note.setText("")
        self.note.setVisible(False)

    def _mark_choice(self, row: int) -> None:
        """The kept version in bold, so the choice reads across the row."""
        combo = self.table.cellWidget(row, KEEP_COLUMN)
        if not isinstance(combo, QComboBox):
            return
        keep_mine = combo.currentData() == Choice.MINE
        for column, chosen in ((1, keep_mine), (2, not keep_mine)):
            item = self.table.item(row, column)
            if item is not None:
                font = QFont(self.table.font())
                font.setBold(chosen)
                item.setFont(font)

    def _set_buttons(self, conflict: ConflictView | None) -> None:
        enabled = conflict is not None and not self._busy
        for button in (self.mine_button, self.theirs_button, self.apply_button):
            button.setEnabled(enabled)
        if conflict is not None and conflict.is_delete:
            self.mine_button.setText(f"&{_deleting_verb(conflict.entity_type)} it anyway")
            self.mine_button.setToolTip("Keep your deletion; the server's changes go with it")
            self.theirs_button.setText("Keep the &server's version")
            self.theirs_button.setToolTip("Undo your deletion here; it comes back as it is now")
            # Nothing to choose per field for a deletion.
            self.apply_button.setVisible(False)
        else:
            self.apply_button.setVisible(True)
            self.mine_button.setText("Keep all &mine")
            self.mine_button.setToolTip("Send your version of every field in conflict")
            self.theirs_button.setText("Keep all &theirs")
            self.theirs_button.setToolTip(
                "Take the server's version of every field in conflict; yours is dropped"
            )
            self.apply_button.setToolTip("Keep, for each field, the version chosen under Keep")

    # --- resolving ----------------------------------------------------------------------------

    def apply_choices(self) -> None:
        conflict = self.current()
        if conflict is None or conflict.is_delete:
            return
        chosen = {name: Choice(combo.currentData()) for name, combo in self.choices.items()}
        self._resolve(chosen)

    def _resolve(self, choice: Choice | dict[str, Choice]) -> None:
        conflict = self.current()
        if conflict is None or self._busy:
            return
        library, workspace = self.workspace.library, self.workspace
        self._busy = True
        self._set_buttons(conflict)
        resolved = self._open(self._resolved)

        def landed(_result: Any) -> None:
            # The window refreshes (and syncs the choice) even when the dialog closed meanwhile.
            workspace.changed.emit(None)
            resolved()

        self.workspace.runner.run(
            lambda _context: library.resolve_conflict(conflict.id, choice),
            name="resolve conflict",
            on_done=landed,
            on_error=self._open(self._resolve_failed),
        )

    def _resolved(self) -> None:
        self._busy = False
        self.reload()

    def _resolve_failed(self, exc: BaseException) -> None:
        self._busy = False
        show_error(self, "Conflict not resolved", describe(exc))
        self.reload()

    def done(self, result: int) -> None:
        self._open.closed = True
        self._stop_following()
        self._stop_following = lambda: None
        super().done(result)


def _shorten(text: str) -> str:
    """Long values (a description) in full in the tooltip, not in a towering cell."""
    return text if len(text) <= LONG_VALUE else text[: LONG_VALUE - 1] + "…"
