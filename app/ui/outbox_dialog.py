"""The changes waiting for the server: what each is, its state and the server's answer, with
Retry and Discard for the ones the server refused.

The words for changes (entity names, field labels, values) live here too; the conflict
dialog and the metatag and collection managers use them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
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
from app.ui.messages import describe
from app.ui.prompts import confirm, show_error
from app.ui.sync_controller import SyncController
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

ERROR_COLOR = "#c62828"

# --- words for changes ---------------------------------------------------------------------

TYPE_WORDS = {
    "publication": "Publication",
    "metatag": "Metatag",
    "collection": "Collection",
    "hotspot": "Hotspot",
    "group": "Group",
    "product_feed": "Product feed",
}
FIELD_LABELS = {
    "title": "Title",
    "browser_title": "Browser title",
    "description": "Description",
    "slug": "Slug",
    "language": "Language",
    "metatag_ids": "Metatags",
    "metatags_category": "Metatags category",
    "valid_from": "Valid from",
    "schedule_online_at": "Goes online at",
    "schedule_offline_at": "Goes offline at",
    "online_at": "Online since",
    "offline_at": "Offline since",
    "collection_id": "Collection",
    "layout_type": "Layout",
    "extraction_options": "Extraction options",
    "state": "State",
    "disable_seo": "Unlisted",
    "page_count": "Pages",
    "category": "Category",
    "value": "Value",
    "source_url": "Source",
    "source_path": "PDF file",
    "force_delete": "Even if in use",
    "updated_at": "Last changed",
    "created_at": "Created",
}
TIME_FIELDS = frozenset(
    {"schedule_online_at", "schedule_offline_at", "online_at", "offline_at", "updated_at"}
)
OP_WORDS = {
    Op.CREATE: "Create",
    Op.UPDATE: "Change",
    Op.DELETE: "Delete",
    Op.ONLINE: "Put online",
    Op.OFFLINE: "Take offline",
    Op.UNLISTED: "Put online unlisted",
}
STATE_WORDS = {
    EntryState.QUEUED: "queued",
    EntryState.FAILED: "refused",
    EntryState.CONFLICT: "conflict",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def _without_query(url: str) -> str:
    """A URL safe to show: a query string may carry a token."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _local_time(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


@dataclass(frozen=True)
class Names:
    """Titles for ids, so a change reads "Publication “Spring”" rather than a number."""

    publications: dict[int, str] = field(default_factory=dict)
    metatags: dict[int, str] = field(default_factory=dict)
    collections: dict[int, str] = field(default_factory=dict)

    def known(self, entity_type: str, entity_id: int) -> str | None:
        table = {
            "publication": self.publications,
            "metatag": self.metatags,
            "collection": self.collections,
        }.get(entity_type, {})
        return table.get(entity_id)

    def entity(self, entity_type: str, entity_id: int, *versions: Mapping[str, Any] | None) -> str:
        """``Publication “Spring”``; the versions (mine, theirs) help for ones deleted here."""
        word = TYPE_WORDS.get(entity_type, entity_type.replace("_", " ").capitalize())
        name = self.known(entity_type, entity_id) or _name_in(entity_type, versions)
        return f"{word} “{name}”" if name else f"{word} {entity_id}"

    def value(self, name: str, value: Any) -> str:
        """A field's value in words ("(empty)" for none)."""
        if value is None or value == "" or value == []:
            return "(empty)" if name not in ("metatag_ids", "collection_id") else "(none)"
        if name == "metatag_ids" and isinstance(value, list):
            return ", ".join(self.metatags.get(i, f"metatag {i}") for i in value)
        if name == "collection_id" and isinstance(value, int):
            return self.collections.get(value, f"collection {value}")
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dict):
            return ", ".join(f"{k}: {self.value(k, v)}" for k, v in value.items()) or "(empty)"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        text = str(value)
        if name in TIME_FIELDS:
            return _local_time(text)
        if name.endswith("url") or text.startswith(("http://", "https://")):
            return _without_query(text)
        return text


def _name_in(entity_type: str, versions: Iterable[Mapping[str, Any] | None]) -> str | None:
    for data in versions:
        if not data:
            continue
        if entity_type == "metatag" and data.get("category") and data.get("value"):
            return f"{data['category']}: {data['value']}"
        if data.get("title"):
            return str(data["title"])
    return None


def load_names(library: Library, publication_ids: Iterable[int]) -> Names:
    """Read the titles the words need (in a worker: it reads the library)."""
    rows = library.publication_rows(sorted(set(publication_ids)))
    metatags: dict[int, str] = {}
    collections: dict[int, str] = {}
    for group in library.groups():
        for tag in library.metatags(group.id):
            metatags[tag.id] = f"{tag.data.get('category', '')}: {tag.data.get('value', '')}"
        for collection in library.collections(group.id):
            collections[collection.id] = str(collection.data.get("title", ""))
    return Names(
        publications={pub_id: row.title for pub_id, row in rows.items()},
        metatags=metatags,
        collections=collections,
    )


def describe_change(entry: OutboxView) -> str:
    """The change in words: "Change title, slug", "Put online", "Delete (even if in use)"."""
    op = Op(entry.op)
    if op is Op.DELETE:
        word = "Archive" if entry.entity_type == EntityType.PUBLICATION.value else "Delete"
        return f"{word} (even if in use)" if entry.payload.get("force_delete") else word
    if op is Op.UPDATE:
        return "Change " + ", ".join(field_label(n).lower() for n in entry.payload)
    return OP_WORDS[op]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def sync_finished_signal(parent: QObject | None) -> SignalInstance | None:
    """The window's "a sync ended" signal, when the dialog's parent is the window: what
    a sync settles (ids adopted, changes refused) shows while the dialog is open."""
    sync = getattr(parent, "sync", None)
    return sync.finished if isinstance(sync, SyncController) else None


# --- the dialog ------------------------------------------------------------------------------

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

        self._sync_finished = sync_finished_signal(parent)
        if self._sync_finished is not None:
            self._sync_finished.connect(self._after_sync)
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
            on_done=lambda snapshot: self._loaded(generation, snapshot),
            on_error=lambda exc: self._load_failed(generation, exc),
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
        self.workspace.runner.run(
            work,
            name=f"outbox {label.lower()}",
            on_done=lambda _result: self._acted(change),
            on_error=lambda exc: self._act_failed(label, exc),
        )

    def _acted(self, change: ChangeSet | None) -> None:
        self.workspace.changed.emit(change)
        self.reload()

    def _act_failed(self, label: str, exc: BaseException) -> None:
        show_error(self, label, describe(exc))
        self.reload()

    def _open_conflicts(self) -> None:
        from app.ui.conflict_dialog import ConflictDialog

        dialog = ConflictDialog(self.workspace, self)
        dialog.finished.connect(lambda _code: self.reload())
        dialog.open()

    def done(self, result: int) -> None:
        if self._sync_finished is not None:
            self._sync_finished.disconnect(self._after_sync)
            self._sync_finished = None
        super().done(result)


def server_answer(entry: OutboxView) -> list[str]:
    """Why the server refused it: a line per field ("Slug has already been taken"), else its
    message (for a 422 the message only repeats the fields, with their raw names)."""
    lines = []
    for name, messages in (entry.field_errors or {}).items():
        text = ", ".join(str(m) for m in messages) if isinstance(messages, list) else messages
        lines.append(f"{field_label(name)} {text}" if name != "base" else str(text))
    if not lines and entry.error:
        lines.append(entry.error)
    return lines


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
