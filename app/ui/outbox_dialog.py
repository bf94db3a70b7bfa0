"""The changes waiting for the server: what each is, its state and the server's answer, with
Retry and Discard for the ones the server refused.

The words for changes (entity names, field labels, values) live in ``change_words``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.enums import EntityType
from app.mirror.library import ChangeSet, Library, OutboxView
from app.mirror.outbox import EntryState, Op
from app.ui.change_words import (
    STATE_WORDS,
    Names,
    describe_change,
    field_label,
    follow_syncs,
    load_names,
    plural,
    server_answer,
)
from app.ui.live_status import ERROR_COLOR, OpenGuard
from app.ui.messages import describe
from app.ui.prompts import confirm, show_error
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

COLUMNS = ("What", "Change", "State", "Server's answer", "Attempts")


@dataclass(frozen=True)
class OutboxSnapshot:
    entries: list[OutboxView]
    names: Names


class OutboxDialog(QDialog):
    """Lists ``library.outbox()`` (only these publications' changes with ``only_ids``)."""

    # After each read of the list (tests wait for it; the dialog needs nothing else).
    loaded = Signal()

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, only_ids: list[int] | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.only_ids = set(only_ids) if only_ids is not None else None
        self.entries: list[OutboxView] = []
        self.names = Names()
        self._generation = 0
        # A worker may answer after the dialog closed (and Qt deleted its widgets).
        self._open = OpenGuard()
        self.setObjectName("outbox-dialog")
        self.setWindowTitle(
            "Waiting changes"
            if only_ids is None
            else f"Waiting changes of {plural(len(only_ids), 'publication')}"
        )

        intro = QLabel(
            "Changes made here that the server has not accepted yet. Queued ones go out at the "
            "next sync. Refused ones wait for you: fix the cause and retry, or discard them."
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 4px; }")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.empty = QLabel("Loading…")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tree)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setMinimumHeight(self.fontMetrics().height() * 4)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.retry_button = QPushButton("&Retry")
        self.retry_button.setToolTip("Send the refused change again at the next sync")
        self.retry_button.clicked.connect(self.retry_selected)
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.setToolTip(
            "Drop the change: the server's version is shown again (asks first)"
        )
        self.discard_button.clicked.connect(self.discard_selected)
        self.conflicts_button = QPushButton("Resolve &conflicts…")
        self.conflicts_button.setToolTip("Choose between your version and the server's")
        self.conflicts_button.clicked.connect(self._open_conflicts)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.retry_button, self.discard_button, self.conflicts_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.details)
        layout.addLayout(actions)
        self.resize(900, 480)
        self._selection_changed()

        self._stop_following = follow_syncs(parent, self._after_sync)
        self.reload()

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the outbox again in a worker; an older read that ends later is dropped."""
        self._generation += 1
        generation = self._generation
        library = self.workspace.library

        def load(_context: TaskContext) -> OutboxSnapshot:
            entries = [e for e in library.outbox() if self._wanted(e)]
            ids = [e.entity_id for e in entries if e.entity_type == "publication"]
            return OutboxSnapshot(entries, load_names(library, ids))

        self.workspace.runner.run(
            load,
            name="outbox",
            on_done=self._open(lambda snapshot: self._loaded(generation, snapshot)),
            on_error=self._open(lambda exc: self._load_failed(generation, exc)),
        )

    def _wanted(self, entry: OutboxView) -> bool:
        if self.only_ids is None:
            return True
        return entry.entity_type == "publication" and entry.entity_id in self.only_ids

    def _after_sync(self, _report: object) -> None:
        if self.isVisible():
            self.reload()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.empty.setText(f"The waiting changes could not be read: {describe(exc)}")
            self.stack.setCurrentWidget(self.empty)
            self.loaded.emit()

    def _loaded(self, generation: int, snapshot: OutboxSnapshot) -> None:
        if generation != self._generation:
            return
        selected = set(self.selected_ids())
        self.entries, self.names = snapshot.entries, snapshot.names
        self.tree.clear()
        for entry in self.entries:
            item = self._item(entry)
            self.tree.addTopLevelItem(item)
            item.setSelected(entry.id in selected)
        for column in (0, 1, 2, 4):
            self.tree.resizeColumnToContents(column)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 280))
        self.tree.setColumnWidth(1, min(self.tree.columnWidth(1), 240))
        if self.entries:
            self.stack.setCurrentWidget(self.tree)
            if not self.tree.selectedItems():
                first_refused = next(
                    (n for n, e in enumerate(self.entries) if e.state != EntryState.QUEUED), 0
                )
                self.tree.topLevelItem(first_refused).setSelected(True)
        else:
            self.empty.setText("Nothing is waiting: every change made here has reached the server.")
            self.stack.setCurrentWidget(self.empty)
        self._selection_changed()
        self.loaded.emit()

    def _item(self, entry: OutboxView) -> QTreeWidgetItem:
        state = EntryState(entry.state)
        answer = "; ".join(server_answer(entry))
        what = self.names.entity(entry.entity_type, entry.entity_id, entry.payload)
        item = QTreeWidgetItem(
            [what, describe_change(entry), STATE_WORDS[state], answer, str(entry.attempts)]
        )
        item.setData(0, Qt.ItemDataRole.UserRole, entry.id)
        item.setToolTip(0, what)
        item.setToolTip(1, _change_details(entry, self.names))
        item.setToolTip(3, answer)
        if state is not EntryState.QUEUED:
            item.setForeground(2, QBrush(QColor(ERROR_COLOR)))
            bold = QFont(item.font(2))
            bold.setBold(True)
            item.setFont(2, bold)
        return item

    # --- selection and actions --------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        return [int(item.data(0, Qt.ItemDataRole.UserRole)) for item in self.tree.selectedItems()]

    def _selected(self, *states: EntryState) -> list[OutboxView]:
        chosen = set(self.selected_ids())
        return [e for e in self.entries if e.id in chosen and EntryState(e.state) in states]

    def _selection_changed(self) -> None:
        failed = self._selected(EntryState.FAILED)
        refused = self._selected(EntryState.FAILED, EntryState.CONFLICT)
        conflicts = self._selected(EntryState.CONFLICT)
        self.retry_button.setEnabled(bool(failed))
        self.discard_button.setEnabled(bool(refused))
        self.conflicts_button.setVisible(bool(conflicts))
        chosen = [e for e in self.entries if e.id in set(self.selected_ids())]
        self.details.setText(_details_html(chosen[0], self.names) if len(chosen) == 1 else "")

    def retry_selected(self) -> None:
        chosen = self._selected(EntryState.FAILED)
        if chosen:
            self._act("Retry", chosen, lambda library, entry_id: library.retry(entry_id))

    def discard_selected(self) -> None:
        chosen = self._selected(EntryState.FAILED, EntryState.CONFLICT)
        if not chosen:
            return
        what = "this change" if len(chosen) == 1 else plural(len(chosen), "change")
        text = (
            f"Discard {what}? Your change is lost; the server's version is shown again."
            if len(chosen) == 1
            else f"Discard {what}? Your changes are lost; the server's versions are shown again."
        )
        if confirm(self, "Discard changes", text, "Discard"):
            self._act("Discard", chosen, lambda library, entry_id: library.discard(entry_id))

    def _act(
        self, label: str, chosen: list[OutboxView], action: Callable[[Library, int], None]
    ) -> None:
        library = self.workspace.library
        self.retry_button.setEnabled(False)
        self.discard_button.setEnabled(False)

        def work(_context: TaskContext) -> None:
            for entry in chosen:
                action(library, entry.id)

        kinds = {entry.entity_type for entry in chosen}
        change = (
            ChangeSet(EntityType(kinds.pop()), tuple(e.entity_id for e in chosen))
            if len(kinds) == 1
            else None
        )
        workspace, reload = self.workspace, self._open(self.reload)

        def acted(_result: None) -> None:
            # The window refreshes (and syncs) even when the dialog closed meanwhile.
            workspace.changed.emit(change)
            reload()

        self.workspace.runner.run(
            work,
            name=f"outbox {label.lower()}",
            on_done=acted,
            on_error=self._open(lambda exc: self._act_failed(label, exc)),
        )

    def _act_failed(self, label: str, exc: BaseException) -> None:
        show_error(self, label, describe(exc))
        self.reload()

    def _open_conflicts(self) -> None:
        from app.ui.conflict_dialog import ConflictDialog

        dialog = ConflictDialog(self.workspace, self)
        dialog.finished.connect(lambda _code: self.reload())
        dialog.open()

    def done(self, result: int) -> None:
        self._open.closed = True
        self._stop_following()
        self._stop_following = lambda: None
        super().done(result)


def _change_details(entry: OutboxView, names: Names) -> str:
    if not entry.payload:
        return describe_change(entry)
    return "\n".join(
        f"{field_label(name)}: {names.value(name, value)}" for name, value in entry.payload.items()
    )


def _details_html(entry: OutboxView, names: Names) -> str:
    e = html.escape
    state = EntryState(entry.state)
    parts = [f"<b>{e(names.entity(entry.entity_type, entry.entity_id, entry.payload))}</b>"]
    change = describe_change(entry)
    if entry.payload and Op(entry.op) in (Op.CREATE, Op.UPDATE):
        values = "; ".join(
            f"{field_label(n)}: {names.value(n, v)}"
            for n, v in entry.payload.items()
            if n != "source_url"
        )
        change = f"{change} — {values}" if Op(entry.op) is Op.UPDATE else f"Create — {values}"
    parts.append(e(_shorten(change, 400)))
    if state is EntryState.QUEUED:
        parts.append(e("Queued: sent at the next sync."))
    else:
        reasons = server_answer(entry) or ["The server gave no reason."]
        parts.extend(f"<span style='color:{ERROR_COLOR}'>{e(reason)}</span>" for reason in reasons)
        if state is EntryState.FAILED:
            parts.append(
                e("Fix the cause and Retry, or Discard it to go back to the server's version.")
            )
        else:
            parts.append(e("Choose between your version and the server's: Resolve conflicts…"))
    return "<br>".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
