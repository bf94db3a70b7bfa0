"""The publication detail panel, driven as a user would, on a real library syncing with a
real server: what the panel shows, what Save sends, and how refusals and unsaved edits are
handled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PySide6.QtCore import (
    QDate,
    QDateTime,
    QObject,
    QPoint,
    Qt,
    QTime,
    QTimer,
    QTimeZone,
    QUrl,
    Slot,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea

from app.core.timestamps import parse_datetime
from app.ui.detail_facts import COVER_HEIGHT
from app.ui.detail_panel import DetailPanel
from app.ui.workspace import Workspace
from tests.conftest import Tenant, mark_converted, upload, wait_for_conversion
from tests.sample_pdfs import plain_pdf
from tests.ui.conftest import sync_and_wait


def make_panel(workspace: Workspace, qtbot: Any) -> tuple[DetailPanel, QScrollArea]:
    shown = DetailPanel(workspace)
    # As the window holds it: in a scroll area on the right.
    scroll = QScrollArea()
    scroll.setWidget(shown)
    scroll.setWidgetResizable(True)
    scroll.resize(400, 900)
    qtbot.addWidget(scroll)
    scroll.show()
    return shown, scroll


@pytest.fixture
def panel(workspace: Workspace, qtbot: Any) -> Iterator[DetailPanel]:
    shown, _scroll = make_panel(workspace, qtbot)  # the scroll area lives until the end
    yield shown


def pub_path(tenant: Tenant, pub_id: int) -> str:
    return f"/v2/groups/{tenant.group_id}/publications/{pub_id}"


def server_copy(tenant: Tenant, pub_id: int) -> dict[str, Any]:
    response = tenant.api.get(pub_path(tenant, pub_id))
    assert response.status_code == 200, response.text
    return response.json()["publication"][0]  # type: ignore[no-any-return]


def show(panel: DetailPanel, qtbot: Any, pub_id: int) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show_publication(pub_id)
    assert panel.item is not None and panel.item.id == pub_id


def save(panel: DetailPanel, workspace: Workspace, qtbot: Any) -> None:
    """Click Save and wait until the edit is in the library and the panel re-read it."""
    assert panel.save_button.isEnabled()
    with (
        qtbot.waitSignal(workspace.changed, timeout=10_000),
        qtbot.waitSignal(panel.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)


def retype(qtbot: Any, line: Any, text: str) -> None:
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def type_at_end(qtbot: Any, line: Any, text: str) -> None:
    line.setFocus()
    qtbot.keyClick(line, Qt.Key.Key_End)
    qtbot.keyClicks(line, text)


def answer_next_box(qtbot: Any, button: QMessageBox.StandardButton) -> list[str]:
    """Click ``button`` of the next modal message box; returns its text once answered."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click)
    return seen


def publication(tenant: Tenant, title: str, **fields: Any) -> int:
    created = tenant.create_publication(title, **fields)
    return int(created["id"])


def make_metatags(tenant: Tenant, *pairs: tuple[str, str]) -> dict[str, int]:
    ids = {}
    for category, value in pairs:
        response = tenant.api.post(
            f"/v2/groups/{tenant.group_id}/metatags",
            json={"metatag": {"category": category, "value": value}},
        )
        assert response.status_code == 201, response.text
        ids[value] = response.json()["metatag"]["id"]
    return ids


def make_collection(tenant: Tenant, title: str) -> int:
    response = tenant.api.post(
        f"/v2/groups/{tenant.group_id}/collections", json={"collection": {"title": title}}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["collection"]["id"])


def local_moment(day: QDate, hour: int) -> QDateTime:
    return QDateTime(day, QTime(hour, 0), QTimeZone.systemTimeZone())


def utc_of(moment: QDateTime) -> str:
    return str(moment.toUTC().toString("yyyy-MM-ddTHH:mm:ss"))


# --- showing ------------------------------------------------------------------------------


def test_without_a_selection_the_panel_asks_to_choose_one(panel: DetailPanel) -> None:
    panel.show_publication(None)
    assert panel.stack.currentWidget() is panel.placeholder
    assert not panel.has_unsaved_changes()
    assert panel.maybe_save()


def test_shows_the_publications_fields_and_facts(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    tags = make_metatags(ui_tenant, ("season", "spring"))
    pub_id = publication(
        ui_tenant,
        "Spring catalogue",
        language="de",
        description="Tents and boots",
        metatag_ids=[tags["spring"]],
        valid_from="2026-03-01",
    )
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)

    form = panel.form
    assert form.title.text() == "Spring catalogue"
    assert form.slug.text() == "spring-catalogue"
    assert form.language.currentData() == "de"
    assert form.description.toPlainText() == "Tents and boots"
    assert form.metatags.ids() == [tags["spring"]]
    assert form.metatags.chips[tags["spring"]].label.text() == "season: spring"
    assert form.valid_from.value() == "2026-03-01"
    assert form.collection.currentText() == "No collection"
    assert panel.facts.heading.text() == "Spring catalogue"
    assert panel.facts.badge.text() == "offline"
    assert panel.facts.ident.text() == str(pub_id)
    assert "Up to date" in panel.facts.marker.text()
    assert not panel.save_button.isEnabled()
    assert not panel.revert_button.isEnabled()


class OpenedUrls(QObject):
    """Receives what QDesktopServices would hand the browser."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_a_converted_publication_shows_its_cover_and_opens_its_public_link(
    converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    tenant = converting_tenant
    source = upload(tenant.api, plain_pdf(3), "cover.pdf")
    created = tenant.create_publication("With a cover", source_url=source)
    finished = wait_for_conversion(tenant.api, tenant.group_id, created["id"])
    assert finished["state"] == "finished"
    online = tenant.api.post(f"{pub_path(tenant, created['id'])}/online")
    assert online.status_code == 200, online.text
    sync_and_wait(converting_workspace, qtbot)
    panel, _scroll = make_panel(converting_workspace, qtbot)
    show(panel, qtbot, created["id"])

    facts = panel.facts
    qtbot.waitUntil(lambda: not facts.cover.pixmap().isNull(), timeout=10_000)
    assert facts.cover.pixmap().height() == COVER_HEIGHT
    assert facts.pages.text() == "3"
    assert facts.badge.text() == "online"
    opened = OpenedUrls()
    QDesktopServices.setUrlHandler("http", opened, "open")
    try:
        click_link(qtbot, facts.link)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    public_url = server_copy(tenant, created["id"])["public_url"]
    assert opened.urls == [public_url]
    assert requests.get(opened.urls[0], timeout=10).status_code == 200


# --- saving -------------------------------------------------------------------------------


def test_edits_of_every_field_reach_the_server_after_save_and_sync(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    tags = make_metatags(ui_tenant, ("season", "spring"), ("brand", "Acme"), ("region", "EU"))
    collection_id = make_collection(ui_tenant, "Spring range")
    pub_id = publication(ui_tenant, "Draft", metatag_ids=[tags["spring"]])
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)
    form = panel.form

    retype(qtbot, form.title, "Spring catalogue 2026")
    retype(qtbot, form.slug, "spring-2026")
    qtbot.keyClicks(form.language, "German")
    qtbot.keyClicks(form.layout_type, "Single")
    qtbot.keyClicks(form.browser_title, "Spring 2026 | Acme")
    qtbot.keyClicks(form.description, "Tents, boots and jackets")
    qtbot.mouseClick(form.metatags.chips[tags["spring"]].remove, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.metatags.picker, "brand")
    qtbot.keyClicks(form.category, "region")
    qtbot.keyClicks(form.collection, "Spring")
    qtbot.mouseClick(form.valid_from.enabled, Qt.MouseButton.LeftButton)
    form.valid_from.picker.setDate(QDate(2026, 3, 1))
    day = QDate.currentDate().addDays(10)
    qtbot.mouseClick(form.online.enabled, Qt.MouseButton.LeftButton)
    form.online.picker.setDateTime(local_moment(day, 9))
    qtbot.mouseClick(form.offline.enabled, Qt.MouseButton.LeftButton)
    form.offline.picker.setDateTime(local_moment(day.addDays(30), 18))
    assert panel.has_unsaved_changes()
    assert panel.state_note.text() == "Unsaved changes"

    save(panel, workspace, qtbot)
    assert not panel.has_unsaved_changes()
    assert "sent at the next sync" in panel.facts.marker.text()
    sync_and_wait(workspace, qtbot)

    on_server = server_copy(ui_tenant, pub_id)
    assert on_server["title"] == "Spring catalogue 2026"
    assert on_server["slug"] == "spring-2026"
    assert on_server["language"] == "de"
    assert on_server["layout_type"] == "single"
    assert on_server["browser_title"] == "Spring 2026 | Acme"
    assert on_server["description"] == "Tents, boots and jackets"
    # The picked metatag, plus every metatag of the chosen category.
    assert on_server["metatag_ids"] == sorted([tags["Acme"], tags["EU"]])
    assert on_server["collection_id"] == collection_id
    assert on_server["valid_from"] == "2026-03-01"
    online = parse_datetime(on_server["schedule_online_at"])
    offline = parse_datetime(on_server["schedule_offline_at"])
    assert online.strftime("%Y-%m-%dT%H:%M:%S") == utc_of(local_moment(day, 9))
    assert offline.strftime("%Y-%m-%dT%H:%M:%S") == utc_of(local_moment(day.addDays(30), 18))

    # The window shows the publication again after the sync: the panel matches the server.
    show(panel, qtbot, pub_id)
    assert form.metatags.ids() == sorted([tags["Acme"], tags["EU"]])
    assert form.category.currentData() is None
    assert "Up to date" in panel.facts.marker.text()
    assert not panel.has_unsaved_changes()


def test_save_sends_only_the_changed_fields(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id = publication(ui_tenant, "Autumn", description="Coats")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)

    type_at_end(qtbot, panel.form.title, " sale")
    save(panel, workspace, qtbot)

    [entry] = workspace.library.outbox()
    assert entry.op == "update"
    assert entry.payload == {"title": "Autumn sale"}


def test_ctrl_s_saves(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id = publication(ui_tenant, "Winter")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)
    panel.window().activateWindow()
    qtbot.waitActive(panel.window())

    type_at_end(qtbot, panel.form.title, " boots")
    assert QApplication.focusWidget() is panel.form.title
    with qtbot.waitSignal(workspace.changed, timeout=10_000):
        qtbot.keyClick(panel.form.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert workspace.library.publication(pub_id).data["title"] == "Winter boots"


def test_revert_puts_the_stored_values_back(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id = publication(ui_tenant, "Garden", language="en")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)

    retype(qtbot, panel.form.title, "Patio")
    qtbot.keyClicks(panel.form.language, "French")
    assert panel.revert_button.isEnabled()
    qtbot.mouseClick(panel.revert_button, Qt.MouseButton.LeftButton)

    assert panel.form.title.text() == "Garden"
    assert panel.form.language.currentData() == "en"
    assert not panel.has_unsaved_changes()
    assert not panel.save_button.isEnabled()


def test_an_offline_creation_is_editable_and_reaches_the_server(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    change = workspace.library.create_publication(
        ui_tenant.group_id, {"title": "Made offline", "source_url": "http://example.com/a.pdf"}
    )
    [local_id] = change.ids
    assert local_id < 0
    show(panel, qtbot, local_id)
    assert "Created here" in panel.facts.marker.text()

    retype(qtbot, panel.form.title, "Made offline, renamed")
    qtbot.keyClicks(panel.form.language, "Italian")
    save(panel, workspace, qtbot)
    sync_and_wait(workspace, qtbot)

    listed = ui_tenant.api.get(f"/v2/groups/{ui_tenant.group_id}/publications").json()
    [created] = listed["publications"]
    assert created["title"] == "Made offline, renamed"
    assert created["language"] == "it"


# --- checks before sending ----------------------------------------------------------------


def test_local_validation_errors_show_next_to_the_fields_and_nothing_is_queued(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id = publication(ui_tenant, "Kitchen")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)
    form = panel.form

    retype(qtbot, form.title, "   ")
    retype(qtbot, form.slug, "Kitchen Sale!")
    day = QDate.currentDate().addDays(5)
    qtbot.mouseClick(form.online.enabled, Qt.MouseButton.LeftButton)
    form.online.picker.setDateTime(local_moment(day, 12))
    qtbot.mouseClick(form.offline.enabled, Qt.MouseButton.LeftButton)
    form.offline.picker.setDateTime(local_moment(day, 8))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)

    boxes = form.boxes
    assert boxes["title"].error.isVisible()
    assert boxes["title"].error.text() == "Title can't be blank"
    assert boxes["slug"].error.text() == "Slug may contain only a-z, 0-9, - and _"
    assert boxes["schedule_offline_at"].error.text() == (
        "Offline time must be later than the online time"
    )
    assert not boxes["language"].error.isVisible()
    assert workspace.library.outbox() == []
    assert workspace.library.publication(pub_id).data["title"] == "Kitchen"
    # The user's input stays, and fixing a field clears its message.
    assert form.slug.text() == "Kitchen Sale!"
    retype(qtbot, form.slug, "kitchen-sale")
    assert not boxes["slug"].error.isVisible()
    assert boxes["title"].error.isVisible()


# --- the server's refusals ----------------------------------------------------------------


def refuse_slug(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> tuple[int, str]:
    """Give a publication a slug another publication of the group has: the server refuses
    it at the sync. Returns the publication's id and its slug on the server."""
    publication(ui_tenant, "Taken", slug="taken")
    pub_id = publication(ui_tenant, "Mine")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)
    original = panel.form.slug.text()
    retype(qtbot, panel.form.slug, "taken")
    qtbot.keyClicks(panel.form.browser_title, "Mine, online")
    save(panel, workspace, qtbot)
    report = sync_and_wait(workspace, qtbot)
    assert report.failed == 1
    show(panel, qtbot, pub_id)  # as the window does after a sync
    return pub_id, original


def test_a_slug_the_server_refuses_shows_next_to_the_field_and_the_typed_value_stays(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id, original = refuse_slug(workspace, ui_tenant, panel, qtbot)

    slug_error = panel.form.boxes["slug"].error
    assert slug_error.isVisible()
    assert "already been taken" in slug_error.text()
    assert panel.form.slug.text() == "taken"
    assert panel.form.browser_title.text() == "Mine, online"
    assert panel.banner.isVisible()
    assert "taken" in panel.banner.message.text()
    assert "refused" in panel.facts.marker.text()
    assert server_copy(ui_tenant, pub_id)["slug"] == original


def test_edit_and_retry_sends_the_corrected_change(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id, _original = refuse_slug(workspace, ui_tenant, panel, qtbot)

    qtbot.mouseClick(panel.banner.retry, Qt.MouseButton.LeftButton)
    assert panel.banner.hint.isVisible()
    assert panel.form.slug.hasFocus()
    type_at_end(qtbot, panel.form.slug, "-not")
    assert not panel.form.boxes["slug"].error.isVisible()
    save(panel, workspace, qtbot)
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)

    on_server = server_copy(ui_tenant, pub_id)
    assert on_server["slug"] == "taken-not"
    assert on_server["browser_title"] == "Mine, online"
    assert not panel.banner.isVisible()
    assert workspace.library.outbox() == []


def test_retry_as_it_is_succeeds_once_the_cause_is_gone(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id, _original = refuse_slug(workspace, ui_tenant, panel, qtbot)
    taken = ui_tenant.api.get(f"/v2/groups/{ui_tenant.group_id}/publications").json()
    [other] = [p for p in taken["publications"] if p["slug"] == "taken"]
    response = ui_tenant.api.put(
        pub_path(ui_tenant, other["id"]), json={"publication": {"slug": "freed"}}
    )
    assert response.status_code == 200, response.text

    qtbot.mouseClick(panel.banner.retry, Qt.MouseButton.LeftButton)
    assert panel.save_button.isEnabled()  # Save with no edit sends the change again
    save(panel, workspace, qtbot)
    sync_and_wait(workspace, qtbot)

    assert server_copy(ui_tenant, pub_id)["slug"] == "taken"


def test_discard_my_change_restores_the_servers_version(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    _pub_id, original = refuse_slug(workspace, ui_tenant, panel, qtbot)

    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        qtbot.mouseClick(panel.banner.discard, Qt.MouseButton.LeftButton)

    assert panel.form.slug.text() == original
    assert panel.form.browser_title.text() == ""
    assert not panel.form.boxes["slug"].error.isVisible()
    assert not panel.banner.isVisible()
    assert workspace.library.outbox() == []
    assert "Up to date" in panel.facts.marker.text()


# --- unsaved edits ------------------------------------------------------------------------


def two_publications(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> tuple[int, int]:
    first = publication(ui_tenant, "First")
    second = publication(ui_tenant, "Second")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, first)
    retype(qtbot, panel.form.title, "First, edited")
    return first, second


def switch(panel: DetailPanel, qtbot: Any, pub_id: int) -> bool:
    """What the window does when the selection moves."""
    if not panel.maybe_save():
        return False
    show(panel, qtbot, pub_id)
    return True


def test_cancel_on_switching_keeps_the_unsaved_edits(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    first, second = two_publications(workspace, ui_tenant, panel, qtbot)

    asked = answer_next_box(qtbot, QMessageBox.StandardButton.Cancel)
    assert not switch(panel, qtbot, second)

    assert asked == ["Save your changes to “First, edited”?"]
    assert panel.publication_id == first
    assert panel.form.title.text() == "First, edited"
    assert panel.has_unsaved_changes()


def test_discard_on_switching_drops_the_edits(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    first, second = two_publications(workspace, ui_tenant, panel, qtbot)

    answer_next_box(qtbot, QMessageBox.StandardButton.Discard)
    assert switch(panel, qtbot, second)

    assert panel.form.title.text() == "Second"
    assert workspace.library.outbox() == []
    assert workspace.library.publication(first).data["title"] == "First"


def test_save_on_switching_keeps_the_edits(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    first, second = two_publications(workspace, ui_tenant, panel, qtbot)

    answer_next_box(qtbot, QMessageBox.StandardButton.Save)
    assert switch(panel, qtbot, second)
    qtbot.waitUntil(lambda: bool(workspace.library.outbox()), timeout=10_000)
    sync_and_wait(workspace, qtbot)

    assert panel.form.title.text() == "Second"
    assert server_copy(ui_tenant, first)["title"] == "First, edited"


def test_save_on_switching_with_a_refused_field_stays(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    first, second = two_publications(workspace, ui_tenant, panel, qtbot)
    retype(qtbot, panel.form.slug, "NOT A SLUG")

    answer_next_box(qtbot, QMessageBox.StandardButton.Save)
    assert not switch(panel, qtbot, second)

    assert panel.publication_id == first
    assert panel.form.boxes["slug"].error.isVisible()
    assert workspace.library.outbox() == []


def test_showing_another_publication_asks_first_even_unprompted(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    first, second = two_publications(workspace, ui_tenant, panel, qtbot)

    asked = answer_next_box(qtbot, QMessageBox.StandardButton.Cancel)
    panel.show_publication(second)

    assert asked == ["Save your changes to “First, edited”?"]
    assert panel.publication_id == first
    assert panel.form.title.text() == "First, edited"


def test_a_sync_keeps_unsaved_edits_and_refreshes_the_rest(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id = publication(ui_tenant, "Outdoor", description="Old text")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)
    retype(qtbot, panel.form.title, "Outdoor, my title")

    # Meanwhile on the server: another description, converted pages, and online.
    changed = ui_tenant.api.put(
        pub_path(ui_tenant, pub_id), json={"publication": {"description": "New text"}}
    )
    assert changed.status_code == 200, changed.text
    mark_converted(ui_tenant.server, pub_id, pages=6)
    online = ui_tenant.api.post(f"{pub_path(ui_tenant, pub_id)}/online")
    assert online.status_code == 200, online.text
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)

    assert panel.form.title.text() == "Outdoor, my title"
    assert panel.has_unsaved_changes()
    assert panel.form.description.toPlainText() == "New text"
    assert panel.facts.badge.text() == "online"
    assert panel.facts.pages.text() == "6"
    public_url = server_copy(ui_tenant, pub_id)["public_url"]
    assert f'href="{public_url}"' in panel.facts.link.text()


# --- conflicts ----------------------------------------------------------------------------


def test_a_conflict_marker_asks_for_the_conflict_dialog(
    workspace: Workspace, ui_tenant: Tenant, panel: DetailPanel, qtbot: Any
) -> None:
    pub_id = publication(ui_tenant, "Shared")
    sync_and_wait(workspace, qtbot)
    show(panel, qtbot, pub_id)
    retype(qtbot, panel.form.title, "Shared, ours")
    save(panel, workspace, qtbot)
    theirs = ui_tenant.api.put(
        pub_path(ui_tenant, pub_id), json={"publication": {"title": "Shared, theirs"}}
    )
    assert theirs.status_code == 200, theirs.text
    report = sync_and_wait(workspace, qtbot)
    assert report.conflicts == 1
    show(panel, qtbot, pub_id)

    marker = panel.facts.marker
    assert 'href="conflicts"' in marker.text()
    requested: list[bool] = []
    panel.conflicts_requested.connect(lambda: requested.append(True))
    click_link(qtbot, marker)
    assert requested == [True]


def click_link(qtbot: Any, label: Any) -> None:
    """Click the first link of a rich-text label: scan its row for the link cursor."""
    height = label.height() // 2
    for x in range(0, label.width(), 4):
        qtbot.mouseMove(label, pos=label.rect().topLeft() + QPoint(x, height))
        if label.cursor().shape() == Qt.CursorShape.PointingHandCursor:
            qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(x, height))
            return
    raise AssertionError("no link in the label")
