"""Work on a multi-selection: states, archive, metatags, collection, schedule.

One confirmation for the lot; each publication is changed in the library in a worker, which
notes the outbox entries the run queued. A run is settled once the server has answered each
of those entries, however many syncs that takes (one that can't reach the server answers
nothing); when some of the selection failed, locally or on the server, a result list of that
run's own items says which and why.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from app.core.enums import EntityType
from app.mirror.library import ChangeSet, Item, Library
from app.mirror.sync import SyncReport
from app.ui.messages import describe
from app.ui.prompts import confirm, show_error
from app.ui.tasks import TaskContext

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
from app.ui.bulk_runs import (
    STATE_WORDS,
    BulkResultDialog,
    BulkRun,
    apply_bulk,
    plural,
    settle,
)
from app.ui.bulk_schedule import ScheduleDialog, check_schedule


class BulkEditor(QObject):
    """``settled`` carries each bulk run (a BulkRun with its final results) once the server
    has answered every change it queued; a result list opens when any of them failed."""

    settled = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = window.workspace
        # Runs whose changes the server has not answered yet, by number.
        self.waiting: dict[int, BulkRun] = {}
        self._numbers = itertools.count(1)
        # One run applies at a time, so a run's "entries after minus before" are its own.
        self._applying = threading.Lock()
        self.result_dialog: BulkResultDialog | None = None

    # --- the actions -------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        label = STATE_WORDS[state]
        if len(ids) > 1 and not confirm(self.window, label, f"{label}: {plural(len(ids))}?", label):
            return
        self._run(label, ids, lambda library, pub_id: library.set_publication_state(pub_id, state))

    def archive(self) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        what = plural(len(ids)) if len(ids) > 1 else "this publication"
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
        if len(ids) != 1:
            if ids:
                self._ask_schedule(ids, {})
            return
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: library.publication(ids[0]).data,
            name="schedule",
            owner=self.window,
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
            owner=self.window,
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
        dialog.setWindowTitle(f"Metatags of {plural(len(ids))}")
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
        dialog.setWindowTitle(f"Collection of {plural(len(ids))}")
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

    def _ask_schedule(self, ids: list[int], first: Mapping[str, object]) -> None:
        dialog = ScheduleDialog(len(ids), first, self.window)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        changes = dialog.changes()
        dialog.deleteLater()
        if not accepted or not changes:
            return

        def change(library: Library, pub_id: int) -> None:
            # A time left as it is must still fit the one set: checked per publication.
            check_schedule(library.publication(pub_id).data, changes)
            library.update_publication(pub_id, changes)

        self._run("Schedule", ids, change)

    # --- running and reporting ---------------------------------------------------------------

    def _run(self, label: str, ids: list[int], change: Callable[[Library, int], object]) -> None:
        library = self.workspace.library
        number = next(self._numbers)
        lock = self._applying

        def apply(_context: TaskContext) -> BulkRun:
            with lock:
                return apply_bulk(library, number, label, ids, change)

        self.workspace.runner.run(
            apply,
            name=label,
            owner=self.window,
            on_done=self._applied,
            on_error=lambda exc: show_error(self.window, label, describe(exc)),
        )

    def _applied(self, run: BulkRun) -> None:
        self.waiting[run.number] = run
        self.workspace.changed.emit(ChangeSet(EntityType.PUBLICATION, run.ids))
        # A run that queued nothing (or whose changes a running sync already sent) is
        # settled now; the others when a sync has brought the server's answers.
        self._check()

    def sync_finished(self, _report: SyncReport) -> None:
        """A sync ended (whether or not it reached the server): see which runs are answered."""
        self._check()

    def _check(self) -> None:
        if not self.waiting:
            return
        library = self.workspace.library
        runs = list(self.waiting.values())
        self.workspace.runner.run(
            lambda _context: settle(runs, library.outbox()),
            name="bulk results",
            owner=self.window,
            on_done=self._settled,
        )

    def _settled(self, runs: list[BulkRun]) -> None:
        for run in runs:
            # Two checks may overlap: each run is reported once.
            if self.waiting.pop(run.number, None) is None:
                continue
            self.settled.emit(run)
            if run.failed:
                self._show(run)

    def _show(self, run: BulkRun) -> None:
        dialog = BulkResultDialog(run, self.window)
        dialog.setObjectName("bulk-results")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        self.result_dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: BulkResultDialog) -> None:
        if self.result_dialog is dialog:
            self.result_dialog = None
