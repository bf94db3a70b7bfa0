"""Work on a multi-selection: states, archive, metatags, collection, schedule.

One confirmation for the lot; each publication is changed in the library in a worker. The
server answers at the next sync: when some of the selection failed (locally or on the
server), a per-item result list says which and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.enums import EntityType
from app.mirror.library import ChangeSet, Item, Library, OutboxView
from app.mirror.outbox import EntryState
from app.mirror.sync import SyncReport
from app.ui.messages import describe
from app.ui.prompts import confirm, show_error
from app.ui.schedule_edit import ScheduleEdit
from app.ui.tasks import TaskContext

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

STATE_WORDS = {"online": "Put online", "unlisted": "Put online unlisted", "offline": "Take offline"}


@dataclass(frozen=True)
class ItemResult:
    publication_id: int
    title: str
    error: str | None


@dataclass
class BulkRun:
    label: str
    ids: list[int]
    results: list[ItemResult]


def _plural(count: int) -> str:
    return f"{count} publication{'s' if count != 1 else ''}"


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
            results.append(ItemResult(pub_id, title, describe(exc)))
        else:
            results.append(ItemResult(pub_id, title, None))
    return results


class BulkResultDialog(QDialog):
    """Which publications of a bulk change went through, and why the others didn't."""

    def __init__(self, run: BulkRun, parent: QWidget) -> None:
        super().__init__(parent)
        failed = [r for r in run.results if r.error]
        self.setWindowTitle(f"{run.label}: {len(failed)} of {len(run.results)} failed")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Publication", "Result"])
        self.tree.setRootIsDecorated(False)
        for result in sorted(run.results, key=lambda r: (r.error is None, r.title.lower())):
            item = QTreeWidgetItem([result.title, result.error or "done"])
            item.setToolTip(1, result.error or "")
            if result.error:
                item.setForeground(1, Qt.GlobalColor.red)
            self.tree.addTopLevelItem(item)
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


class BulkEditor(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = window.workspace
        self.awaiting: BulkRun | None = None
        self.result_dialog: BulkResultDialog | None = None

    # --- the actions -------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        label = STATE_WORDS[state]
        if len(ids) > 1 and not confirm(
            self.window, label, f"{label}: {_plural(len(ids))}?", label
        ):
            return
        self._run(label, ids, lambda library, pub_id: library.set_publication_state(pub_id, state))

    def archive(self) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        what = _plural(len(ids)) if len(ids) > 1 else "this publication"
        text = (
            f"Archive {what}? Archived publications disappear from the server's lists and "
            "can no longer be opened by readers. This can't be undone in Folio."
        )
        if confirm(self.window, "Archive", text, "Archive"):
            self._run("Archive", ids, lambda library, pub_id: library.archive_publication(pub_id))

    def assign_metatags(self) -> None:
        self._with_group_items(self._ask_metatags)

    def assign_collection(self) -> None:
        self._with_group_items(self._ask_collection)

    def schedule(self) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        first = self.workspace.library
        self.workspace.runner.run(
            lambda _context: first.publication(ids[0]).data,
            name="schedule",
            on_done=lambda data: self._ask_schedule(ids, data),
            on_error=lambda exc: show_error(self.window, "Schedule", describe(exc)),
        )

    # --- dialogs -------------------------------------------------------------------------------

    def _with_group_items(
        self, ask: Callable[[list[int], int, list[Item], list[Item], list[Item]], None]
    ) -> None:
        """Metatags and collections belong to a group: the selection must share one."""
        ids = self.window.selected_ids()
        if not ids:
            return
        library = self.workspace.library

        def load(_context: TaskContext) -> tuple[list[Item], list[Item], list[Item]]:
            items = [library.publication(pub_id) for pub_id in ids]
            groups = {int(item.data.get("group_id") or 0) for item in items}
            if len(groups) != 1:
                raise ValueError(
                    "The selected publications are in different groups; choose publications of one group"
                )
            group_id = groups.pop()
            return items, library.metatags(group_id), library.collections(group_id)

        self.workspace.runner.run(
            load,
            name="group items",
            on_done=lambda result: ask(ids, int(result[0][0].data.get("group_id") or 0), *result),
            on_error=lambda exc: show_error(
                self.window,
                "Can't do this",
                str(exc) if isinstance(exc, ValueError) else describe(exc),
            ),
        )

    def _ask_metatags(
        self,
        ids: list[int],
        _group_id: int,
        items: list[Item],
        metatags: list[Item],
        _collections: list[Item],
    ) -> None:
        dialog = QDialog(self.window)
        dialog.setWindowTitle(f"Metatags of {_plural(len(ids))}")
        tags = QListWidget()
        for tag in sorted(
            metatags, key=lambda t: (str(t.data.get("category")), str(t.data.get("value")))
        ):
            having = sum(tag.id in (item.data.get("metatag_ids") or []) for item in items)
            entry = QListWidgetItem(f"{tag.data.get('category')}: {tag.data.get('value')}")
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if having == len(items):
                entry.setCheckState(Qt.CheckState.Checked)
            elif having:
                # Some have it: left alone unless the user decides.
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserTristate)
                entry.setCheckState(Qt.CheckState.PartiallyChecked)
            else:
                entry.setCheckState(Qt.CheckState.Unchecked)
            entry.setData(Qt.ItemDataRole.UserRole, tag.id)
            tags.addItem(entry)
        if not metatags:
            tags.addItem("This group has no metatags yet: create them under Group > Metatags.")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(
            QLabel(
                "Checked: every selected publication gets it. Unchecked: removed. Partly checked: left as it is."
            )
        )
        layout.addWidget(tags)
        layout.addWidget(buttons)
        dialog.setObjectName("assign-metatags")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        add, remove = set(), set()
        for number in range(tags.count()):
            entry = tags.item(number)
            tag_id = entry.data(Qt.ItemDataRole.UserRole)
            if tag_id is None:
                continue
            if entry.checkState() == Qt.CheckState.Checked:
                add.add(tag_id)
            elif entry.checkState() == Qt.CheckState.Unchecked:
                remove.add(tag_id)

        def change(library: Library, pub_id: int) -> None:
            current = list(library.publication(pub_id).data.get("metatag_ids") or [])
            wanted = sorted((set(current) | add) - remove)
            if wanted != sorted(current):
                library.update_publication(pub_id, {"metatag_ids": wanted})

        self._run("Assign metatags", ids, change)

    def _ask_collection(
        self,
        ids: list[int],
        _group_id: int,
        items: list[Item],
        _metatags: list[Item],
        collections: list[Item],
    ) -> None:
        dialog = QDialog(self.window)
        dialog.setWindowTitle(f"Collection of {_plural(len(ids))}")
        combo = QComboBox()
        combo.addItem("No collection", None)
        for collection in sorted(collections, key=lambda c: str(c.data.get("title", "")).lower()):
            combo.addItem(str(collection.data.get("title", "")), collection.id)
        current = {item.data.get("collection_id") for item in items}
        if len(current) == 1:
            combo.setCurrentIndex(max(0, combo.findData(current.pop())))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel("Put the selected publications in:"))
        layout.addWidget(combo)
        layout.addWidget(buttons)
        dialog.setObjectName("assign-collection")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = combo.currentData()
        self._run(
            "Put in collection",
            ids,
            lambda library, pub_id: library.update_publication(pub_id, {"collection_id": chosen}),
        )

    def _ask_schedule(self, ids: list[int], first: dict[str, object]) -> None:
        dialog = QDialog(self.window)
        dialog.setWindowTitle(f"Schedule {_plural(len(ids))}")
        online = ScheduleEdit("Go online at")
        offline = ScheduleEdit("Go offline at")
        if len(ids) == 1:
            online.set_value(first.get("schedule_online_at"))  # type: ignore[arg-type]
            offline.set_value(first.get("schedule_offline_at"))  # type: ignore[arg-type]
        error = QLabel("")
        error.setStyleSheet("color: #c62828;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.rejected.connect(dialog.reject)

        def accept() -> None:
            start, end = online.value(), offline.value()
            if start and end and end <= start:
                error.setText("The offline time must come after the online time.")
                return
            dialog.accept()

        buttons.accepted.connect(accept)
        layout = QVBoxLayout(dialog)
        layout.addWidget(
            QLabel("The server acts on these times: online once the pages are converted.")
        )
        layout.addWidget(online)
        layout.addWidget(offline)
        layout.addWidget(error)
        layout.addWidget(buttons)
        dialog.setObjectName("schedule")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        changes = {"schedule_online_at": online.value(), "schedule_offline_at": offline.value()}
        self._run(
            "Schedule", ids, lambda library, pub_id: library.update_publication(pub_id, changes)
        )

    # --- running and reporting ---------------------------------------------------------------

    def _run(self, label: str, ids: list[int], change: Callable[[Library, int], object]) -> None:
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: apply_to_each(library, ids, change),
            name=label,
            on_done=lambda results: self._applied(BulkRun(label, ids, results)),
            on_error=lambda exc: show_error(self.window, label, describe(exc)),
        )

    def _applied(self, run: BulkRun) -> None:
        self.awaiting = run
        self.workspace.changed.emit(ChangeSet(EntityType.PUBLICATION, tuple(run.ids)))

    def sync_finished(self, _report: SyncReport) -> None:
        """Once the server has answered, list what failed (if anything did)."""
        run, self.awaiting = self.awaiting, None
        if run is None:
            return
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: library.outbox(),
            name="bulk results",
            on_done=lambda outbox: self._report(run, outbox),
        )

    def _report(self, run: BulkRun, outbox: list[OutboxView]) -> None:
        refused = {
            entry.entity_id: entry
            for entry in outbox
            if entry.entity_type == EntityType.PUBLICATION.value
            and entry.entity_id in run.ids
            and entry.state in (EntryState.FAILED.value, EntryState.CONFLICT.value)
        }
        results = [
            ItemResult(r.publication_id, r.title, _outcome(r, refused.get(r.publication_id)))
            for r in run.results
        ]
        if any(r.error for r in results):
            self.result_dialog = BulkResultDialog(BulkRun(run.label, run.ids, results), self.window)
            self.result_dialog.setObjectName("bulk-results")
            self.result_dialog.open()


def _outcome(result: ItemResult, entry: OutboxView | None) -> str | None:
    """Why one publication of a bulk change didn't go through, or None when it did."""
    if result.error or entry is None:
        return result.error
    if entry.state == EntryState.CONFLICT.value:
        return "Conflicts with a change made on the server: choose under Sync > Conflicts"
    return f"Refused by the server: {entry.error}"
