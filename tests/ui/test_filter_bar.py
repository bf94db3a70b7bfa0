"""The filter bar offers the chosen group's collections and metatags only, and follows
changes to them: made here, or arriving with a sync."""

from __future__ import annotations

from typing import Any

import pytest

from app.ui.filter_bar import FilterBar
from app.ui.workspace import Workspace
from tests.conftest import Tenant
from tests.ui.conftest import sync_and_wait


def make_group(tenant: Tenant, title: str) -> int:
    response = tenant.api.post("/v2/groups", json={"group": {"title": title}})
    assert response.status_code == 201, response.text
    return int(response.json()["group"]["id"])


def make_collection(tenant: Tenant, group_id: int, title: str) -> int:
    body = {"collection": {"title": title}}
    response = tenant.api.post(f"/v2/groups/{group_id}/collections", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["collection"]["id"])


def make_metatag(tenant: Tenant, group_id: int, category: str, value: str) -> int:
    body = {"metatag": {"category": category, "value": value}}
    response = tenant.api.post(f"/v2/groups/{group_id}/metatags", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["metatag"]["id"])


def entries(combo: Any) -> list[str]:
    return [combo.itemText(n) for n in range(combo.count())]


def wait_idle(workspace: Workspace, qtbot: Any) -> None:
    """Until every read the bar started has reached it."""
    qtbot.waitUntil(lambda: workspace.runner.busy == 0, timeout=10_000)


def run_in_worker(workspace: Workspace, qtbot: Any, fn: Any) -> Any:
    """``fn(library)`` in the workspace's pool, as the window's edits run; its result."""
    results: list[Any] = []
    library = workspace.library
    workspace.runner.run(lambda _context: fn(library), on_done=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return results[0]


@pytest.fixture
def two_groups(workspace: Workspace, ui_tenant: Tenant, qtbot: Any) -> tuple[int, int]:
    """The tenant's group with collection Spring and metatag season: summer, and a second
    group with collection Autumn and metatag colour: red; synced."""
    first = ui_tenant.group_id
    second = make_group(ui_tenant, "Second group")
    make_collection(ui_tenant, first, "Spring")
    make_metatag(ui_tenant, first, "season", "summer")
    make_collection(ui_tenant, second, "Autumn")
    make_metatag(ui_tenant, second, "colour", "red")
    sync_and_wait(workspace, qtbot)
    return first, second


@pytest.fixture
def bar(workspace: Workspace, qtbot: Any) -> FilterBar:
    widget = FilterBar(workspace)
    qtbot.addWidget(widget)
    return widget


def test_quick_group_switches_offer_only_the_last_groups_items(
    bar: FilterBar, workspace: Workspace, two_groups: tuple[int, int], qtbot: Any
) -> None:
    first, second = two_groups
    # Arrow keys through the group tree: each read ends after the next group was chosen.
    bar.set_group(first)
    bar.set_group(second)
    bar.set_group(first)
    bar.set_group(second)
    wait_idle(workspace, qtbot)
    assert entries(bar.collection) == ["All collections", "Autumn"]
    assert entries(bar.metatag) == ["All metatags", "colour: red"]


def test_choosing_no_group_drops_a_read_still_under_way(
    bar: FilterBar, workspace: Workspace, two_groups: tuple[int, int], qtbot: Any
) -> None:
    bar.set_group(two_groups[0])
    bar.set_group(None)
    wait_idle(workspace, qtbot)
    assert entries(bar.collection) == ["All collections"]
    assert entries(bar.metatag) == ["All metatags"]
    assert not bar.collection.isEnabled()


def test_a_collection_created_here_is_offered_and_the_choice_kept(
    bar: FilterBar, workspace: Workspace, two_groups: tuple[int, int], qtbot: Any
) -> None:
    first, _second = two_groups
    bar.set_group(first)
    wait_idle(workspace, qtbot)
    bar.collection.setCurrentIndex(entries(bar.collection).index("Spring"))
    chosen = bar.collection.currentData()
    announced: list[dict[str, Any]] = []
    bar.changed.connect(announced.append)

    change = run_in_worker(workspace, qtbot, lambda lib: lib.create_collection(first, "Winter"))
    workspace.changed.emit(change)  # as the collection manager announces it

    qtbot.waitUntil(lambda: "Winter" in entries(bar.collection), timeout=10_000)
    assert entries(bar.collection) == ["All collections", "Spring", "Winter"]
    assert bar.collection.currentData() == chosen
    assert announced == []  # the table's filter stays as it was


def test_a_deleted_chosen_collection_falls_back_to_all_collections(
    bar: FilterBar, workspace: Workspace, two_groups: tuple[int, int], qtbot: Any
) -> None:
    first, _second = two_groups
    bar.set_group(first)
    wait_idle(workspace, qtbot)
    bar.collection.setCurrentIndex(entries(bar.collection).index("Spring"))
    spring = bar.collection.currentData()
    announced: list[dict[str, Any]] = []
    bar.changed.connect(announced.append)

    change = run_in_worker(workspace, qtbot, lambda lib: lib.delete_collection(spring))
    workspace.changed.emit(change)

    qtbot.waitUntil(lambda: announced == [{"collection_id": None}], timeout=10_000)
    assert entries(bar.collection) == ["All collections"]
    assert bar.collection.currentData() is None


def test_a_renamed_metatag_shows_its_new_name(
    bar: FilterBar, workspace: Workspace, two_groups: tuple[int, int], qtbot: Any
) -> None:
    first, _second = two_groups
    bar.set_group(first)
    wait_idle(workspace, qtbot)
    bar.metatag.setCurrentIndex(1)
    summer = bar.metatag.currentData()

    change = run_in_worker(
        workspace, qtbot, lambda lib: lib.update_metatag(summer, {"value": "winter"})
    )
    workspace.changed.emit(change)

    qtbot.waitUntil(lambda: "season: winter" in entries(bar.metatag), timeout=10_000)
    assert entries(bar.metatag) == ["All metatags", "season: winter"]
    assert bar.metatag.currentData() == summer


def test_refresh_after_a_sync_offers_what_arrived_from_the_server(
    bar: FilterBar,
    workspace: Workspace,
    ui_tenant: Tenant,
    two_groups: tuple[int, int],
    qtbot: Any,
) -> None:
    first, _second = two_groups
    bar.set_group(first)
    wait_idle(workspace, qtbot)
    make_collection(ui_tenant, first, "Made elsewhere")
    make_metatag(ui_tenant, first, "season", "autumn")
    sync_and_wait(workspace, qtbot)

    bar.refresh()
    wait_idle(workspace, qtbot)
    assert entries(bar.collection) == ["All collections", "Made elsewhere", "Spring"]
    assert entries(bar.metatag) == ["All metatags", "season: autumn", "season: summer"]
