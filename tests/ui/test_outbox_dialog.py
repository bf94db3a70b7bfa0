"""The waiting-changes dialog on changes the real server refused: the reason shown, Retry
sends the change again, Discard (after a confirmation) brings back the server's version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.ui.outbox_dialog import OutboxDialog
from app.ui.workspace import Workspace
from tests.conftest import Tenant, mark_converted
from tests.ui.conftest import sync_and_wait
from tests.ui.window_driver import Confirmations


@pytest.fixture
def confirmations(qtbot: Any) -> Iterator[Confirmations]:
    answering = Confirmations(qtbot)
    yield answering
    answering.stop()


def _refused_online(workspace: Workspace, tenant: Tenant, qtbot: Any, title: str) -> int:
    """A publication put online here before it has pages: the server answers 422."""
    pub_id = int(tenant.create_publication(title)["id"])
    sync_and_wait(workspace, qtbot)
    workspace.library.set_publication_state(pub_id, "online")
    assert sync_and_wait(workspace, qtbot).failed == 1
    return pub_id


def _open(workspace: Workspace, qtbot: Any, only_ids: list[int] | None = None) -> OutboxDialog:
    dialog = OutboxDialog(workspace, None, only_ids=only_ids)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    return dialog


def _rows(dialog: OutboxDialog) -> list[list[str]]:
    tree = dialog.tree
    return [
        [tree.topLevelItem(n).text(c) for c in range(tree.columnCount())]
        for n in range(tree.topLevelItemCount())
    ]


def _click_and_wait_for_reload(dialog: OutboxDialog, button: QPushButton, qtbot: Any) -> None:
    assert button.isEnabled(), button.text()
    with (
        qtbot.waitSignal(dialog.workspace.changed, timeout=10_000),
        qtbot.waitSignal(dialog.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _server_state(tenant: Tenant, pub_id: int) -> str:
    path = f"/v2/groups/{tenant.group_id}/publications/{pub_id}"
    return str(tenant.api.get(path).json()["publication"][0]["state"])


def test_refused_change_shows_the_servers_reason_and_retry_sends_it_again(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    pub_id = _refused_online(workspace, ui_tenant, qtbot, "Spring")
    dialog = _open(workspace, qtbot)

    [[what, change, state, answer, attempts]] = _rows(dialog)
    assert (what, change, state, attempts) == ("Publication “Spring”", "Put online", "refused", "1")
    assert "converted" in answer
    assert "converted" in dialog.details.text()
    assert dialog.retry_button.isEnabled() and dialog.discard_button.isEnabled()

    # The cause goes away (its pages are converted now); the same change is sent again.
    mark_converted(ui_tenant.server, pub_id)
    _click_and_wait_for_reload(dialog, dialog.retry_button, qtbot)

    assert _rows(dialog) == [["Publication “Spring”", "Put online", "queued", "", "0"]]
    assert not dialog.retry_button.isEnabled()
    sync_and_wait(workspace, qtbot)
    assert _server_state(ui_tenant, pub_id) == "online"
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.reload()
    assert dialog.stack.currentWidget() is dialog.empty
    assert "Nothing is waiting" in dialog.empty.text()


def test_discard_asks_first_then_the_servers_version_is_shown_again(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, confirmations: Confirmations
) -> None:
    pub_id = _refused_online(workspace, ui_tenant, qtbot, "Summer")
    assert workspace.library.publication(pub_id).data["state"] == "online"
    dialog = _open(workspace, qtbot)

    question = confirmations.answer("Discard")
    _click_and_wait_for_reload(dialog, dialog.discard_button, qtbot)

    assert question == [
        "Discard this change? Your change is lost; the server's version is shown again."
    ]
    assert "Nothing is waiting" in dialog.empty.text()
    shown = workspace.library.publication(pub_id)
    assert shown.data["state"] == "offline" and not shown.pending
    sync_and_wait(workspace, qtbot)
    assert _server_state(ui_tenant, pub_id) == "offline"


def test_cancelled_discard_keeps_the_change(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, confirmations: Confirmations
) -> None:
    _refused_online(workspace, ui_tenant, qtbot, "Autumn")
    dialog = _open(workspace, qtbot)

    question = confirmations.answer("Cancel")
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)

    assert len(question) == 1
    assert [row[2] for row in _rows(dialog)] == ["refused"]
    assert [entry.state for entry in workspace.library.outbox()] == ["failed"]


def test_field_errors_of_the_server_are_listed_by_field(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    first = ui_tenant.create_publication("Winter")
    second = int(ui_tenant.create_publication("Winter sale")["id"])
    sync_and_wait(workspace, qtbot)
    workspace.library.update_publication(second, {"slug": first["slug"]})
    sync_and_wait(workspace, qtbot)
    dialog = _open(workspace, qtbot)

    [[what, change, state, answer, _attempts]] = _rows(dialog)
    assert (what, change, state) == ("Publication “Winter sale”", "Change slug", "refused")
    assert answer == "Slug has already been taken in this group"
    assert f"Slug: {first['slug']}" in dialog.details.text()


def test_only_ids_limits_the_list_to_those_publications(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    one = int(ui_tenant.create_publication("One")["id"])
    two = int(ui_tenant.create_publication("Two")["id"])
    sync_and_wait(workspace, qtbot)
    workspace.library.set_publication_state(one, "online")
    workspace.library.set_publication_state(two, "online")
    workspace.library.create_collection(ui_tenant.group_id, "Later")

    everything = _open(workspace, qtbot)
    only_two = _open(workspace, qtbot, only_ids=[two])

    assert [row[0] for row in _rows(everything)] == [
        "Publication “One”",
        "Publication “Two”",
        "Collection “Later”",
    ]
    assert [row[0] for row in _rows(only_two)] == ["Publication “Two”"]
    assert only_two.windowTitle() == "Waiting changes of 1 publication"
