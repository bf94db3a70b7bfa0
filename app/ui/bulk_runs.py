"""A bulk change's runs: applying one to each publication in a worker, noting the outbox
entries it queued, settling it once the server answered them all, and the per-item result
list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.enums import EntityType
from app.core.errors import ValidationError
from app.mirror.library import Library, OutboxView
from app.mirror.outbox import EntryState
from app.ui.detail_fields import full_message
from app.ui.messages import describe

STATE_WORDS = {"online": "Put online", "unlisted": "Put online unlisted", "offline": "Take offline"}
SCHEDULE_FIELDS = ("schedule_online_at", "schedule_offline_at")
PUBLICATION = EntityType.PUBLICATION.value
REFUSED_STATES = frozenset({EntryState.FAILED.value, EntryState.CONFLICT.value})


@dataclass(frozen=True)
class ItemResult:
    publication_id: int
    title: str
    error: str | None


@dataclass(frozen=True)
class BulkRun:
    """One bulk change as it landed in the library: each publication's local outcome, and
    the outbox entries it queued (entry id -> publication id). Once the server has answered
    every one of those entries, ``results`` say how each publication fared."""

    number: int
    label: str
    ids: tuple[int, ...]
    results: tuple[ItemResult, ...]
    entries: Mapping[int, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(result.error is not None for result in self.results)


def plural(count: int) -> str:
    return f"{count} publication{'s' if count != 1 else ''}"


def _sentence(exc: BaseException) -> str:
    """An item's failure in words; field errors name the field as the form does."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            full_message(name, message)
            for name, messages in exc.errors.items()
            for message in messages
        )
    return describe(exc)


def apply_to_each(
    library: Library, ids: list[int], change: Callable[[Library, int], object]
) -> list[ItemResult]:
    """Run ``change`` for each id; one failure doesn't stop the others."""
    results: list[ItemResult] = []
    for pub_id in ids:
        try:
            title = str(library.publication(pub_id).data.get("title", ""))
        except Exception:  # shown in the result list below
            title = f"Publication {pub_id}"
        try:
            change(library, pub_id)
        except Exception as exc:
            results.append(ItemResult(pub_id, title, _sentence(exc)))
        else:
            results.append(ItemResult(pub_id, title, None))
    return results


def _entry_marks(outbox: list[OutboxView]) -> dict[int, tuple[str, object]]:
    return {e.id: (e.op, e.payload) for e in outbox if e.entity_type == PUBLICATION}


def apply_bulk(
    library: Library,
    number: int,
    label: str,
    ids: list[int],
    change: Callable[[Library, int], object],
) -> BulkRun:
    """Apply ``change`` to each publication (in a worker) and note which outbox entries it
    queued: new ones, and unsent ones it merged into (an edit not yet sent takes the next
    edit of the same publication). Entries it didn't touch, older refusals among them, are
    not the run's."""
    before = _entry_marks(library.outbox())
    results = apply_to_each(library, ids, change)
    wanted = set(ids)
    entries: dict[int, int] = {}
    for entry in library.outbox():
        if entry.entity_type != PUBLICATION or entry.entity_id not in wanted:
            continue
        mark = before.get(entry.id)
        merged = (
            mark is not None
            and mark != (entry.op, entry.payload)
            and entry.state == EntryState.QUEUED.value
            and entry.attempts == 0
        )
        if mark is None or merged:
            entries[entry.id] = entry.entity_id
    return BulkRun(number, label, tuple(ids), tuple(results), entries)


def _refusal(entry: OutboxView) -> str:
    if entry.state == EntryState.CONFLICT.value:
        return "Conflicts with a change made on the server: choose under Sync > Conflicts"
    return f"Refused by the server: {entry.error}"


def settle(runs: list[BulkRun], outbox: list[OutboxView]) -> list[BulkRun]:
    """The runs whose entries the server has all answered (none is still queued: gone means
    accepted, failed or in conflict means refused), with each item's outcome, refused items
    first. Runs still waiting are left out. Runs in a worker: 20,000 items are many."""
    open_entries = {entry.id: entry for entry in outbox}
    settled = []
    for run in runs:
        answered = [open_entries.get(entry_id) for entry_id in run.entries]
        if any(e is not None and e.state == EntryState.QUEUED.value for e in answered):
            continue
        refused: dict[int, str] = {}
        for entry_id, pub_id in run.entries.items():
            entry = open_entries.get(entry_id)
            if entry is not None and entry.state in REFUSED_STATES:
                refused.setdefault(pub_id, _refusal(entry))
        results = sorted(
            (
                replace(result, error=result.error or refused.get(result.publication_id))
                for result in run.results
            ),
            key=lambda result: (result.error is None, result.title.lower(), result.publication_id),
        )
        settled.append(replace(run, results=tuple(results), entries={}))
    return settled


class BulkResultDialog(QDialog):
    """Which publications of a bulk change went through, and why the others didn't
    (``run.results`` come sorted, refused ones first)."""

    def __init__(self, run: BulkRun, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{run.label}: {run.failed} of {len(run.results)} failed")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Publication", "Result"])
        self.tree.setRootIsDecorated(False)
        items = []
        for result in run.results:
            item = QTreeWidgetItem([result.title, result.error or "done"])
            item.setData(0, Qt.ItemDataRole.UserRole, result.publication_id)
            if result.error:
                item.setToolTip(1, result.error)
                item.setForeground(1, Qt.GlobalColor.red)
            items.append(item)
        self.tree.addTopLevelItems(items)
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Refused changes stay listed under Sync > Waiting changes, where you can retry or discard them."
            )
        )
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(640, 360)
