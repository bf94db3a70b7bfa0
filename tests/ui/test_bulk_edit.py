"""Bulk edits on a multi-selection in the real window, against a real server: a schedule
changes only the fields the user chose, metatags and collections reach every selected
publication, and each bulk run gets its own result list once the server has answered it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QListWidget, QWidget

from app.core.timestamps import format_datetime, parse_datetime
from app.mirror.sync import SyncStatus
from app.ui.bulk_runs import BulkResultDialog, BulkRun
from app.ui.bulk_schedule import ScheduleChoice, ScheduleDialog
from app.ui.main_window import MainWindow
from app.ui.workspace import Connection, Workspace
from tests.conftest import LiveServer, Tenant, make_tenant, mark_converted
from tests.fault_proxy import FaultProxy
from tests.ui.conftest import workspace_for
from tests.ui.window_driver import (
    answer_next_question,
    open_window,
    sync_window,
    wait_rows_loaded,
)

# --- driving the window ---------------------------------------------------------------------


class ModalAnswers:
    """Answers the window's blocking dialogs (they run with ``exec``) from a timer, found by
    object name, as a user would."""

    def __init__(self) -> None:
        self.timers: list[QTimer] = []

    def when_open(self, object_name: str, handle: Callable[[Any], None]) -> None:
        timer = QTimer()

        def look() -> None:
            widget = QApplication.activeModalWidget()
            if widget is not None and widget.objectName() == object_name:
                timer.stop()
                handle(widget)

        timer.timeout.connect(look)
        timer.start(20)
        self.timers.append(timer)

    def stop(self) -> None:
        for timer in self.timers:
            timer.stop()
            timer.deleteLater()


@pytest.fixture
def modal() -> Iterator[ModalAnswers]:
    answers = ModalAnswers()
    yield answers
    answers.stop()


def click_ok(dialog: QWidget, qtbot: Any) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def record_settled(window: MainWindow) -> list[BulkRun]:
    """Every bulk run the editor reports, in order."""
    runs: list[BulkRun] = []
    window.actions.bulk.settled.connect(runs.append)
    return runs


def outcomes(run: BulkRun) -> dict[str, str | None]:
    return {result.title: result.error for result in run.results}


def listed(dialog: BulkResultDialog) -> dict[str, str]:
    rows = (dialog.tree.topLevelItem(n) for n in range(dialog.tree.topLevelItemCount()))
    return {row.text(0): row.text(1) for row in rows}


def result_dialogs(window: MainWindow) -> list[BulkResultDialog]:
    return [d for d in window.findChildren(BulkResultDialog) if d.isVisible()]


def on_server(tenant: Tenant, pub_id: int) -> dict[str, Any]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{pub_id}")
    assert response.status_code == 200, response.text
    return response.json()["publication"][0]  # type: ignore[no-any-return]


def api_time(moment: datetime) -> str:
    return str(format_datetime(moment.replace(second=0, microsecond=0)))


def same_moment(text: str | None, moment: datetime) -> bool:
    return text is not None and parse_datetime(text) == parse_datetime(api_time(moment))


def select(window: MainWindow, qtbot: Any, ids: list[int]) -> None:
    window.select_ids(ids)
    qtbot.waitUntil(lambda: sorted(window.selected_ids()) == sorted(ids), timeout=5_000)


# --- schedule --------------------------------------------------------------------------------


def test_bulk_schedule_sets_only_the_chosen_time_and_clear_clears_only_its_own(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, modal: ModalAnswers
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    offline = {"Spring": now + timedelta(days=20), "Summer": now + timedelta(days=30)}
    ids = {
        title: ui_tenant.create_publication(title, schedule_offline_at=api_time(moment))["id"]
        for title, moment in offline.items()
    }
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    settled = record_settled(window)
    online = now + timedelta(days=2)
    seen: list[str] = []

    def set_online_only(dialog: ScheduleDialog) -> None:
        online_choice, offline_choice = dialog.fields.values()
        assert isinstance(online_choice, ScheduleChoice)
        assert isinstance(offline_choice, ScheduleChoice)
        # Several publications: nothing is changed unless the user says so.
        seen.extend(c.mode.currentText() for c in (online_choice, offline_choice))
        seen.append(online_choice.edit.zone.text())
        online_choice.choose(ScheduleChoice.SET)
        online_choice.edit.picker.setDateTime(QDateTime.fromSecsSinceEpoch(int(online.timestamp())))
        click_ok(dialog, qtbot)

    window.table.selectAll()
    modal.when_open("schedule", set_online_only)
    window.actions.by_name["schedule"].trigger()
    qtbot.waitUntil(lambda: len(settled) == 1, timeout=30_000)
    assert seen[:2] == ["Leave as it is", "Leave as it is"]
    assert "UTC" in seen[2]  # the time zone stays beside the picker
    assert all(error is None for error in outcomes(settled[0]).values())
    for title, pub_id in ids.items():
        data = on_server(ui_tenant, pub_id)
        assert same_moment(data["schedule_online_at"], online), title
        assert same_moment(data["schedule_offline_at"], offline[title]), title  # kept

    def clear_offline(dialog: ScheduleDialog) -> None:
        dialog.fields["schedule_offline_at"].choose(ScheduleChoice.CLEAR)  # type: ignore[union-attr]
        click_ok(dialog, qtbot)

    window.table.selectAll()
    modal.when_open("schedule", clear_offline)
    window.actions.by_name["schedule"].trigger()
    qtbot.waitUntil(lambda: len(settled) == 2, timeout=30_000)
    for title, pub_id in ids.items():
        data = on_server(ui_tenant, pub_id)
        assert data["schedule_offline_at"] is None, title
        assert same_moment(data["schedule_online_at"], online), title  # kept
    assert result_dialogs(window) == []


def test_a_bulk_online_time_after_a_publications_own_offline_time_is_refused_for_it_alone(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, modal: ModalAnswers
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    early = ui_tenant.create_publication(
        "Ends soon", schedule_offline_at=api_time(now + timedelta(days=1))
    )
    late = ui_tenant.create_publication(
        "Ends late", schedule_offline_at=api_time(now + timedelta(days=9))
    )
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    online = now + timedelta(days=3)

    def set_online(dialog: ScheduleDialog) -> None:
        choice = dialog.fields["schedule_online_at"]
        assert isinstance(choice, ScheduleChoice)
        choice.choose(ScheduleChoice.SET)
        choice.edit.picker.setDateTime(QDateTime.fromSecsSinceEpoch(int(online.timestamp())))
        click_ok(dialog, qtbot)

    window.table.selectAll()
    modal.when_open("schedule", set_online)
    window.actions.by_name["schedule"].trigger()
    qtbot.waitUntil(lambda: window.actions.bulk.result_dialog is not None, timeout=30_000)
    rows = listed(window.actions.bulk.result_dialog)
    assert rows["Ends soon"] == "Offline time must be later than the online time"
    assert rows["Ends late"] == "done"
    qtbot.waitUntil(
        lambda: same_moment(on_server(ui_tenant, late["id"])["schedule_online_at"], online),
        timeout=30_000,
    )
    assert on_server(ui_tenant, early["id"])["schedule_online_at"] is None


# --- metatags and collections ------------------------------------------------------------


def _metatag(tenant: Tenant, category: str, value: str) -> int:
    body = {"metatag": {"category": category, "value": value}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/metatags", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["metatag"]["id"])


def _collection(tenant: Tenant, title: str) -> int:
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/collections", json={"collection": {"title": title}}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["collection"]["id"])


def test_bulk_metatags_add_and_remove_and_leave_partial_ones_and_collection_reaches_all(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, modal: ModalAnswers
) -> None:
    summer = _metatag(ui_tenant, "season", "summer")
    sale = _metatag(ui_tenant, "kind", "sale")
    outdoor = _metatag(ui_tenant, "theme", "outdoor")
    sale_collection = _collection(ui_tenant, "Sales 2026")
    pubs = {
        "Tents": ui_tenant.create_publication("Tents", metatag_ids=[sale, outdoor])["id"],
        "Boots": ui_tenant.create_publication("Boots", metatag_ids=[sale])["id"],
        "Jackets": ui_tenant.create_publication("Jackets", metatag_ids=[sale])["id"],
    }
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    settled = record_settled(window)
    states: dict[str, Qt.CheckState] = {}

    def add_summer_remove_sale(dialog: QWidget) -> None:
        tags = dialog.findChild(QListWidget)
        entries = {tags.item(n).text(): tags.item(n) for n in range(tags.count())}
        states.update({text: entry.checkState() for text, entry in entries.items()})
        entries["season: summer"].setCheckState(Qt.CheckState.Checked)
        entries["kind: sale"].setCheckState(Qt.CheckState.Unchecked)
        click_ok(dialog, qtbot)

    window.table.selectAll()
    modal.when_open("assign-metatags", add_summer_remove_sale)
    window.actions.by_name["assign_metatags"].trigger()
    qtbot.waitUntil(lambda: len(settled) == 1, timeout=30_000)
    assert states == {
        "season: summer": Qt.CheckState.Unchecked,
        "kind: sale": Qt.CheckState.Checked,
        "theme: outdoor": Qt.CheckState.PartiallyChecked,
    }
    assert all(error is None for error in outcomes(settled[0]).values())
    assert on_server(ui_tenant, pubs["Tents"])["metatag_ids"] == sorted([summer, outdoor])
    assert on_server(ui_tenant, pubs["Boots"])["metatag_ids"] == [summer]
    assert on_server(ui_tenant, pubs["Jackets"])["metatag_ids"] == [summer]

    def choose_collection(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox)
        combo.setCurrentIndex(combo.findData(sale_collection))
        click_ok(dialog, qtbot)

    select(window, qtbot, [pubs["Tents"], pubs["Boots"]])
    modal.when_open("assign-collection", choose_collection)
    window.actions.by_name["assign_collection"].trigger()
    qtbot.waitUntil(lambda: len(settled) == 2, timeout=30_000)
    assert on_server(ui_tenant, pubs["Tents"])["collection_id"] == sale_collection
    assert on_server(ui_tenant, pubs["Boots"])["collection_id"] == sale_collection
    assert on_server(ui_tenant, pubs["Jackets"])["collection_id"] is None


# --- the per-item result list ------------------------------------------------------------


def test_bulk_online_lists_each_refused_publication_with_the_servers_reason(
    workspace: Workspace, ui_tenant: Tenant, server: LiveServer, qtbot: Any
) -> None:
    ready = ui_tenant.create_publication("Ready")
    mark_converted(server, ready["id"])
    for title in ("Draft A", "Draft B"):
        ui_tenant.create_publication(title)
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)

    window.table.selectAll()
    answer_next_question("Put online")
    window.actions.by_name["online"].trigger()
    qtbot.waitUntil(lambda: window.actions.bulk.result_dialog is not None, timeout=30_000)
    dialog = window.actions.bulk.result_dialog
    assert dialog.windowTitle() == "Put online: 2 of 3 failed"
    rows = listed(dialog)
    for title in ("Draft A", "Draft B"):
        assert rows[title].startswith("Refused by the server:"), rows
        assert "can't go online before its pages are converted" in rows[title]
    assert rows["Ready"] == "done"
    assert on_server(ui_tenant, ready["id"])["state"] == "online"


def test_bulk_results_wait_for_a_sync_that_reaches_the_server(
    server: LiveServer, tmp_path: Path, qtbot: Any
) -> None:
    tenant = make_tenant(server)
    ready = tenant.create_publication("Ready")
    mark_converted(server, ready["id"])
    tenant.create_publication("Draft")
    with FaultProxy(server.url) as proxy:
        workspace = workspace_for(tmp_path, server, tenant, qtbot)
        workspace.use_connection(Connection(proxy.url, tenant.key, embedded=False))
        window = open_window(workspace, qtbot)
        try:
            wait_rows_loaded(window, qtbot)
            bulk = window.actions.bulk

            proxy.set_offline(True)
            window.table.selectAll()
            answer_next_question("Put online")
            window.actions.by_name["online"].trigger()
            qtbot.waitUntil(lambda: bool(bulk.waiting), timeout=10_000)
            # The first sync after the edit can't reach the server: no answers, no list.
            assert sync_window(window, qtbot).status is SyncStatus.OFFLINE
            qtbot.waitUntil(lambda: not window.sync.running, timeout=30_000)
            qtbot.wait(300)
            assert bulk.result_dialog is None and len(bulk.waiting) == 1

            proxy.set_offline(False)

            def reported() -> bool:
                if not window.sync.running:
                    window.sync.sync_now()
                return bulk.result_dialog is not None

            qtbot.waitUntil(reported, timeout=30_000)
            assert listed(bulk.result_dialog)["Draft"].startswith("Refused by the server:")
            assert listed(bulk.result_dialog)["Ready"] == "done"
            assert on_server(tenant, ready["id"])["state"] == "online"
            assert bulk.waiting == {}
        finally:
            window.close()
            qtbot.waitUntil(lambda: workspace.runner.busy == 0, timeout=30_000)
            workspace.close()


def test_each_bulk_run_reports_only_its_own_items(
    workspace: Workspace, ui_tenant: Tenant, server: LiveServer, qtbot: Any, modal: ModalAnswers
) -> None:
    ids = {}
    for title in ("Ready 1", "Ready 2"):
        ids[title] = ui_tenant.create_publication(title)["id"]
        mark_converted(server, ids[title])
    for title in ("Draft 1", "Draft 2"):
        ids[title] = ui_tenant.create_publication(title)["id"]
    folder = _collection(ui_tenant, "Drafts")
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    settled = record_settled(window)

    # Two runs in a row, before any sync has answered the first.
    select(window, qtbot, [ids["Draft 1"], ids["Ready 1"]])
    answer_next_question("Put online")
    window.actions.by_name["online"].trigger()
    qtbot.waitUntil(lambda: len(window.actions.bulk.waiting) == 1, timeout=10_000)
    select(window, qtbot, [ids["Draft 2"], ids["Ready 2"]])
    answer_next_question("Put online unlisted")
    window.actions.by_name["unlisted"].trigger()

    qtbot.waitUntil(lambda: len(settled) == 2, timeout=30_000)
    by_label = {run.label: outcomes(run) for run in settled}
    assert set(by_label["Put online"]) == {"Draft 1", "Ready 1"}
    assert set(by_label["Put online unlisted"]) == {"Draft 2", "Ready 2"}
    assert by_label["Put online"]["Ready 1"] is None
    assert by_label["Put online unlisted"]["Ready 2"] is None
    assert "pages are converted" in str(by_label["Put online"]["Draft 1"])
    assert "pages are converted" in str(by_label["Put online unlisted"]["Draft 2"])
    qtbot.waitUntil(lambda: len(result_dialogs(window)) == 2, timeout=5_000)
    titles = sorted(d.windowTitle() for d in result_dialogs(window))
    assert titles == ["Put online unlisted: 1 of 2 failed", "Put online: 1 of 2 failed"]

    # A later run on the refused publications is not blamed for their older refusals.
    def choose_collection(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox)
        combo.setCurrentIndex(combo.findData(folder))
        click_ok(dialog, qtbot)

    select(window, qtbot, [ids["Draft 1"], ids["Draft 2"]])
    modal.when_open("assign-collection", choose_collection)
    window.actions.by_name["assign_collection"].trigger()
    qtbot.waitUntil(lambda: len(settled) == 3, timeout=30_000)
    assert outcomes(settled[2]) == {"Draft 1": None, "Draft 2": None}
    assert len(result_dialogs(window)) == 2  # no new list: nothing of this run failed
    assert on_server(ui_tenant, ids["Draft 1"])["collection_id"] == folder
    assert on_server(ui_tenant, ids["Draft 2"])["state"] == "offline"
