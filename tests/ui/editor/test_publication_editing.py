"""The editor on a library publication: its server hotspots shown where the server has them,
edits saved through the library's outbox and sent at the next sync, new hotspots followed
from their temporary ids to the server's, so a second save updates rather than duplicates."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.core.geometry import Rect
from app.core.hotspots import Hotspot, HotspotType
from app.ui.editor.editor_opening import open_publication
from app.ui.editor.editor_window import EditorWindow
from app.ui.editor.model import display_rect
from app.ui.workspace import Workspace
from tests.conftest import Tenant, upload, wait_for_conversion
from tests.sample_pdfs import PageSpec, build_pdf, product_note
from tests.ui.conftest import sync_and_wait
from tests.ui.editor.editor_driver import OPENED


@pytest.fixture
def publication(converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any) -> int:
    pdf = build_pdf(
        [
            PageSpec(text="Cover", notes=[((100, 500, 300, 600), product_note("OLD-1"))]),
            PageSpec(text="Left", links=[((50, 50, 250, 100), "https://example.com/left")]),
            PageSpec(text="Right"),
        ]
    )
    body = {"publication": {"title": "Summer", "source_url": upload(converting_tenant.api, pdf)}}
    api, group = converting_tenant.api, converting_tenant.group_id
    created = api.post(f"/v2/groups/{group}/publications", json=body).json()["publication"]
    assert wait_for_conversion(api, group, created["id"])["state"] == "finished"
    sync_and_wait(converting_workspace, qtbot)
    return int(created["id"])


def open_window(workspace: Workspace, publication_id: int, qtbot: Any) -> EditorWindow:
    opened: list[EditorWindow] = []
    open_publication(publication_id, workspace, None, on_open=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    OPENED.append(opened[0])
    return opened[0]


def server_hotspots(tenant: Tenant, publication_id: int) -> list[dict[str, Any]]:
    api = tenant.api
    spreads = api.get(f"/v2/groups/{tenant.group_id}/publications/{publication_id}/spreads").json()[
        "spreads"
    ]
    return [
        h for s in spreads for h in api.get(f"/v2/spreads/{s['id']}/hotspots").json()["hotspots"]
    ]


def save_and_sync(window: EditorWindow, workspace: Workspace, qtbot: Any) -> None:
    window.actions_.actions["save"].trigger()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert not window.editor.dirty, window.statusBar().currentMessage()
    report = sync_and_wait(workspace, qtbot)
    assert report.failed == 0
    if report.adopted:  # as the main window does after its syncs
        workspace.adopted.emit(list(report.adopted))


def test_the_editor_shows_the_publications_pages_and_hotspots_from_the_library(
    converting_workspace: Workspace, publication: int, qtbot: Any
) -> None:
    window = open_window(converting_workspace, publication, qtbot)
    assert window.model.page_count == 3
    assert [page.spread_id is not None for page in window.model.pages] == [True] * 3
    types = sorted(item.type.value for item in window.model.state)
    assert types == ["external_link", "product"]
    product = next(i for i in window.model.state if i.type is HotspotType.PRODUCT)
    shown = display_rect(window.model.page(1), product.rect)
    assert shown.is_close(Rect(100, 800 - 600, 300, 800 - 500), 0.01)
    # The pages are the server's images, downloaded in workers.
    qtbot.waitUntil(lambda: window.images.image(1, 1.0) is not None, timeout=10_000)
    assert "(library)" in window.windowTitle()
    assert not window.actions_.actions["replace_page"].isEnabled()


def test_edits_are_saved_through_the_outbox_and_reach_the_server_at_the_next_sync(
    converting_workspace: Workspace, converting_tenant: Tenant, publication: int, qtbot: Any
) -> None:
    window = open_window(converting_workspace, publication, qtbot)
    editor = window.editor
    product = next(i for i in window.model.state if i.type is HotspotType.PRODUCT)
    link = next(i for i in window.model.state if i.type is HotspotType.EXTERNAL_LINK)
    editor.select([product.key])
    editor.nudge(10.0, 20.0)
    editor.set_properties(product.key, {**product.properties, "skus": ["NEW-1", "NEW-2"]})
    editor.delete([link.key])
    [added] = editor.add(
        [
            Hotspot(
                HotspotType.PRODUCT,
                3,
                Rect(100, 100, 200, 150),
                {"skus": ["ADDED"], "icon": False, "dynamic": True},
            )
        ]
    )
    save_and_sync(window, converting_workspace, qtbot)

    on_server = server_hotspots(converting_tenant, publication)
    assert sorted(tuple(h["skus"]) for h in on_server) == [("ADDED",), ("NEW-1", "NEW-2")]
    moved = next(h for h in on_server if h["skus"] == ["NEW-1", "NEW-2"])
    assert moved["on_page"] == 1
    x0, y0, x1, y1 = moved["page_rect"]
    assert Rect(x0, y0, x1, y1).is_close(Rect(110, 480, 310, 580), 0.01)
    new = next(h for h in on_server if h["skus"] == ["ADDED"])
    assert new["on_page"] == 3 and new["icon"] is False

    # The new hotspot now carries the server's id: a second save updates it.
    item = window.model.get(added)
    assert item is not None and item.server_id == new["id"]
    editor.set_properties(added, {**item.properties, "skus": ["ADDED-2"]})
    save_and_sync(window, converting_workspace, qtbot)
    again = server_hotspots(converting_tenant, publication)
    assert sorted(tuple(h["skus"]) for h in again) == [("ADDED-2",), ("NEW-1", "NEW-2")]
    assert next(h for h in again if h["skus"] == ["ADDED-2"])["id"] == new["id"]


def test_saving_nothing_changed_sends_nothing(
    converting_workspace: Workspace, publication: int, qtbot: Any
) -> None:
    window = open_window(converting_workspace, publication, qtbot)
    window.actions_.actions["save"].trigger()
    assert "Nothing to send" in window.statusBar().currentMessage()
    assert converting_workspace.library.status().pending == 0


def test_the_main_windows_action_opens_the_selected_publication_once(
    converting_workspace: Workspace, publication: int, qtbot: Any
) -> None:
    from app.ui.editor import editor_opening
    from tests.ui.window_driver import open_window as open_main_window
    from tests.ui.window_driver import wait_rows_loaded

    main = open_main_window(converting_workspace, qtbot)
    wait_rows_loaded(main, qtbot)
    action = main.actions.by_name["edit_hotspots"]
    assert not action.isEnabled()  # nothing selected
    main.select_ids([publication])
    assert action.isEnabled()
    action.trigger()
    key = f"publication:{converting_workspace.server_url}:{publication}"
    qtbot.waitUntil(lambda: key in editor_opening._OPEN, timeout=10_000)
    editor = editor_opening._OPEN[key]
    OPENED.append(editor)
    assert editor.document_title == "Summer"
    action.trigger()  # a second time: the same window comes forward
    qtbot.wait(200)
    assert editor_opening._OPEN[key] is editor


def test_a_save_after_the_server_lost_a_hotspot_saves_the_rest_and_retries_only_the_rest(
    converting_workspace: Workspace, converting_tenant: Tenant, publication: int, qtbot: Any
) -> None:
    window = open_window(converting_workspace, publication, qtbot)
    editor = window.editor
    product = next(i for i in window.model.state if i.type is HotspotType.PRODUCT)
    link = next(i for i in window.model.state if i.type is HotspotType.EXTERNAL_LINK)
    # Someone removes both on the server; this library learns it at its next sync.
    for item in (product, link):
        hotspot = next(
            h for h in server_hotspots(converting_tenant, publication) if h["id"] == item.server_id
        )
        response = converting_tenant.api.delete(
            f"/v2/spreads/{hotspot['spread_id']}/hotspots/{item.server_id}"
        )
        assert response.status_code in (200, 204), response.text
    sync_and_wait(converting_workspace, qtbot)
    editor.delete([link.key])  # gone already: fine
    editor.set_properties(product.key, {**product.properties, "skus": ["LOST"]})  # refused
    [added] = editor.add(
        [
            Hotspot(
                HotspotType.PRODUCT,
                2,
                Rect(10, 10, 90, 60),
                {"skus": ["KEPT"], "icon": True, "dynamic": True},
            )
        ]
    )
    window.actions_.actions["save"].trigger()
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)
    assert editor.dirty  # not everything was saved
    texts = [b.text() for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert any("1 of 3 changes were saved" in t for t in texts), texts
    for box in window.findChildren(QMessageBox):
        box.close()
    # The designer drops the lost one; the next save sends only the new hotspot, once.
    editor.delete([product.key])
    save_and_sync(window, converting_workspace, qtbot)
    assert [h["skus"] for h in server_hotspots(converting_tenant, publication)] == [["KEPT"]]
    assert window.model.get(added).server_id is not None  # type: ignore[union-attr]


def test_save_in_the_close_question_closes_even_with_nothing_to_send(
    converting_workspace: Workspace, publication: int, qtbot: Any
) -> None:
    import shiboken6

    from tests.ui.window_driver import answer_next_question

    window = open_window(converting_workspace, publication, qtbot)
    window.editor.select([window.model.state[0].key])
    window.editor.nudge(4.0, 0.0)
    window.editor.nudge(-4.0, 0.0)  # moved and moved back: unsaved, but as the library has it
    assert window.editor.dirty
    answer_next_question("Save")
    window.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=10_000)
