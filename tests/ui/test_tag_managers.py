"""The metatag and collection managers through their widgets, against a real server: what
they add, rename and delete reaches it at the next sync, and deletes are safe."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton

from app.ui.manager_dialog import ManagerDialog
from app.ui.tag_managers import CollectionManager, MetatagManager
from app.ui.tasks import TaskRunner
from app.ui.workspace import Workspace
from tests.conftest import Tenant
from tests.ui.conftest import sync_and_wait
from tests.ui.window_driver import Confirmations


@pytest.fixture
def confirmations(qtbot: Any) -> Iterator[Confirmations]:
    answering = Confirmations(qtbot)
    yield answering
    answering.stop()


def _open(
    manager_class: type[ManagerDialog], workspace: Workspace, group_id: int, qtbot: Any
) -> Any:
    manager = manager_class(workspace, group_id, None)
    qtbot.addWidget(manager)
    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        manager.show()
    return manager


def _rows(manager: ManagerDialog) -> list[list[str]]:
    tree = manager.tree
    return [
        [tree.topLevelItem(n).text(c) for c in range(tree.columnCount())]
        for n in range(tree.topLevelItemCount())
    ]


def _click(qtbot: Any, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _fill(qtbot: Any, widget: Any, text: str) -> None:
    line = widget if isinstance(widget, QLineEdit) else widget.lineEdit()
    line.clear()
    qtbot.keyClicks(line, text)


def _submit_and_wait(manager: ManagerDialog, qtbot: Any) -> None:
    assert manager.form is not None
    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        _click(qtbot, manager.form.ok_button)
    assert not manager.form.isVisible()


def _server_metatags(tenant: Tenant) -> list[tuple[str, str]]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/metatags")
    return sorted((m["category"], m["value"]) for m in response.json()["metatags"])


def _server_metatag(tenant: Tenant, category: str, value: str) -> int:
    body = {"metatag": {"category": category, "value": value}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/metatags", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["metatag"]["id"])


def _server_collection(tenant: Tenant, title: str) -> int:
    body = {"collection": {"title": title}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/collections", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["collection"]["id"])


def _delete_row(
    manager: ManagerDialog,
    item_id: int,
    qtbot: Any,
    confirmations: Confirmations,
    answer: str | None,
) -> list[str]:
    manager.select(item_id)
    seen = confirmations.answer(answer) if answer else []
    _click(qtbot, manager.delete_button)
    if answer:
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    return seen


# --- metatags ----------------------------------------------------------------------------------


def test_added_metatag_waits_to_sync_then_reaches_the_server(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    manager = _open(MetatagManager, workspace, ui_tenant.group_id, qtbot)
    assert "no metatags yet" in manager.status.text()

    _click(qtbot, manager.add_button)
    assert manager.form is not None
    _fill(qtbot, manager.form.inputs["category"], "season")
    _fill(qtbot, manager.form.inputs["value"], "summer")
    _submit_and_wait(manager, qtbot)

    assert _rows(manager) == [["season", "summer", "0", "● waiting to sync"]]
    assert manager.rows[0].id < 0
    assert _server_metatags(ui_tenant) == []
    sync_and_wait(workspace, qtbot)
    assert _server_metatags(ui_tenant) == [("season", "summer")]
    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        manager.reload()
    assert _rows(manager) == [["season", "summer", "0", ""]]
    assert manager.rows[0].id > 0


def test_blank_and_duplicate_metatags_are_refused_before_anything_is_sent(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    _server_metatag(ui_tenant, "season", "summer")
    sync_and_wait(workspace, qtbot)
    manager = _open(MetatagManager, workspace, ui_tenant.group_id, qtbot)

    _click(qtbot, manager.add_button)
    form = manager.form
    assert form is not None
    _click(qtbot, form.ok_button)
    assert form.error_labels["category"].text() == "Enter a category."
    assert form.error_labels["value"].text() == "Enter a value."
    _fill(qtbot, form.inputs["category"], "season")
    _fill(qtbot, form.inputs["value"], "summer")
    _click(qtbot, form.ok_button)

    assert form.isVisible()
    assert form.error_labels["category"].isHidden()
    assert form.error_labels["value"].text() == "“summer” already exists in category “season”."
    assert workspace.library.outbox() == []


def test_renamed_metatag_is_renamed_on_the_server(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    tag_id = _server_metatag(ui_tenant, "season", "sumer")
    sync_and_wait(workspace, qtbot)
    manager = _open(MetatagManager, workspace, ui_tenant.group_id, qtbot)

    manager.select(tag_id)
    _click(qtbot, manager.edit_button)
    assert manager.form is not None
    assert manager.form.values() == {"category": "season", "value": "sumer"}
    _fill(qtbot, manager.form.inputs["value"], "summer")
    _submit_and_wait(manager, qtbot)

    assert _rows(manager) == [["season", "summer", "0", "● waiting to sync"]]
    sync_and_wait(workspace, qtbot)
    assert _server_metatags(ui_tenant) == [("season", "summer")]


def test_metatag_in_use_is_deleted_only_after_a_confirmation_naming_its_publications(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, confirmations: Confirmations
) -> None:
    tag_id = _server_metatag(ui_tenant, "season", "summer")
    kept_id = _server_metatag(ui_tenant, "season", "winter")
    spring = ui_tenant.create_publication("Spring", metatag_ids=[tag_id, kept_id])["id"]
    ui_tenant.create_publication("Summer", metatag_ids=[tag_id])
    ui_tenant.create_publication("Autumn", metatag_ids=[tag_id])
    sync_and_wait(workspace, qtbot)
    manager = _open(MetatagManager, workspace, ui_tenant.group_id, qtbot)
    assert _rows(manager) == [["season", "summer", "3", ""], ["season", "winter", "1", ""]]

    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        [question] = _delete_row(
            manager, tag_id, qtbot, confirmations, "Delete and remove from 3 publications"
        )

    assert "Used by 3 publications: Autumn, Spring, Summer." in question
    assert _rows(manager) == [["season", "winter", "1", ""]]
    sync_and_wait(workspace, qtbot)
    assert _server_metatags(ui_tenant) == [("season", "winter")]
    path = f"/v2/groups/{ui_tenant.group_id}/publications/{spring}"
    assert ui_tenant.api.get(path).json()["publication"][0]["metatag_ids"] == [kept_id]


def test_cancelling_the_delete_of_a_metatag_in_use_changes_nothing(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, confirmations: Confirmations
) -> None:
    tag_id = _server_metatag(ui_tenant, "season", "summer")
    ui_tenant.create_publication("Spring", metatag_ids=[tag_id])
    sync_and_wait(workspace, qtbot)
    manager = _open(MetatagManager, workspace, ui_tenant.group_id, qtbot)

    [question] = _delete_row(manager, tag_id, qtbot, confirmations, "Cancel")

    assert "Used by 1 publication: Spring." in question
    assert workspace.library.outbox() == []
    assert _rows(manager) == [["season", "summer", "1", ""]]


# --- collections -------------------------------------------------------------------------------


def test_collection_added_renamed_and_deleted_through_the_manager(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, confirmations: Confirmations
) -> None:
    manager = _open(CollectionManager, workspace, ui_tenant.group_id, qtbot)
    path = f"/v2/groups/{ui_tenant.group_id}/collections"

    _click(qtbot, manager.add_button)
    assert manager.form is not None
    _fill(qtbot, manager.form.inputs["title"], "Footwear")
    _submit_and_wait(manager, qtbot)
    assert _rows(manager) == [["Footwear", "0", "● waiting to sync"]]
    sync_and_wait(workspace, qtbot)
    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        manager.reload()
    [row] = manager.rows
    assert row.id > 0

    manager.select(row.id)
    _click(qtbot, manager.edit_button)
    _fill(qtbot, manager.form.inputs["title"], "Shoes")
    _submit_and_wait(manager, qtbot)
    sync_and_wait(workspace, qtbot)
    assert [c["title"] for c in ui_tenant.api.get(path).json()["collections"]] == ["Shoes"]

    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        [question] = _delete_row(manager, row.id, qtbot, confirmations, "Delete")
    assert "It holds no publications" in question
    assert _rows(manager) == []
    sync_and_wait(workspace, qtbot)
    assert ui_tenant.api.get(path).json()["collections"] == []


def test_blank_collection_title_is_refused(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    manager = _open(CollectionManager, workspace, ui_tenant.group_id, qtbot)
    _click(qtbot, manager.add_button)
    assert manager.form is not None
    _fill(qtbot, manager.form.inputs["title"], "   ")
    _click(qtbot, manager.form.ok_button)
    assert manager.form.error_labels["title"].text() == "Enter a title."
    assert workspace.library.outbox() == []


def test_collection_holding_publications_is_not_deleted_and_they_are_listed(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any, confirmations: Confirmations
) -> None:
    collection = _server_collection(ui_tenant, "Footwear")
    ui_tenant.create_publication("Sandals", collection_id=collection)
    ui_tenant.create_publication("Boots", collection_id=collection)
    sync_and_wait(workspace, qtbot)
    manager = _open(CollectionManager, workspace, ui_tenant.group_id, qtbot)
    assert _rows(manager) == [["Footwear", "2", ""]]
    opened = confirmations.record_all()

    _delete_row(manager, collection, qtbot, confirmations, None)
    qtbot.waitUntil(lambda: bool(_messages(manager)), timeout=10_000)

    [message] = _messages(manager)
    assert "can't be deleted: it still holds 2 publications: Boots, Sandals." in message.text()
    assert "Move them to another collection" in message.text()
    # Nothing destructive is offered: the one button only closes the message.
    assert [b.text().replace("&", "") for b in message.buttons()] == ["OK"]
    assert opened == []
    assert workspace.library.outbox() == []
    sync_and_wait(workspace, qtbot)
    path = f"/v2/groups/{ui_tenant.group_id}/collections"
    assert [c["id"] for c in ui_tenant.api.get(path).json()["collections"]] == [collection]


def _messages(manager: ManagerDialog) -> list[QMessageBox]:
    return [
        box
        for box in manager.findChildren(QMessageBox)
        if box.objectName() == "folio-message" and box.isVisible()
    ]


# --- closing while a worker is busy --------------------------------------------------------


class HeldPool:
    """The workspace's tasks on one real worker thread, which ``hold`` keeps busy until
    ``release``: what a slow disk or a big library does to the manager's reads."""

    def __init__(self, workspace: Workspace) -> None:
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self.workspace = workspace
        self.previous = workspace.runner
        workspace.runner = TaskRunner(self.pool)
        self.gate = threading.Event()

    def hold(self) -> None:
        self.workspace.runner.run(lambda _context: self.gate.wait(10), name="slow")

    def release(self) -> None:
        self.gate.set()
        assert self.pool.waitForDone(10_000)

    def restore(self) -> None:
        self.release()
        self.workspace.runner = self.previous


@pytest.fixture
def held_pool(workspace: Workspace) -> Iterator[HeldPool]:
    held = HeldPool(workspace)
    yield held
    held.restore()


def _close_and_delete(manager: ManagerDialog) -> None:
    """Close as the window's managers close (deleted on close), and let Qt delete it."""
    manager.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    manager.reject()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(manager)


@pytest.mark.parametrize("manager_class", [MetatagManager, CollectionManager])
def test_closing_a_manager_during_its_load_raises_nothing(
    manager_class: type[ManagerDialog],
    workspace: Workspace,
    ui_tenant: Tenant,
    held_pool: HeldPool,
    qtbot: Any,
) -> None:
    held_pool.hold()
    manager = manager_class(workspace, ui_tenant.group_id, None)
    manager.show()
    assert manager.status.text() == "Loading…"
    _close_and_delete(manager)

    held_pool.release()  # the load ends now, after the dialog is gone
    qtbot.waitUntil(lambda: workspace.runner.busy == 0, timeout=10_000)
    # (pytest-qt fails the test on an exception in a Qt callback.)


def test_a_metatag_saved_as_the_manager_closes_still_reaches_the_window(
    workspace: Workspace, ui_tenant: Tenant, held_pool: HeldPool, qtbot: Any
) -> None:
    manager = MetatagManager(workspace, ui_tenant.group_id, None)  # deleted by the test
    with qtbot.waitSignal(manager.loaded, timeout=10_000):
        manager.show()
    _click(qtbot, manager.add_button)
    assert manager.form is not None
    _fill(qtbot, manager.form.inputs["category"], "season")
    _fill(qtbot, manager.form.inputs["value"], "summer")
    held_pool.hold()
    _click(qtbot, manager.form.ok_button)  # saved in a worker, behind the held one
    announced: list[Any] = []
    workspace.changed.connect(announced.append)
    _close_and_delete(manager)

    held_pool.release()
    qtbot.waitUntil(lambda: bool(announced), timeout=10_000)
    [change] = announced
    assert change.entity_type == "metatag"
    assert [tag.data["value"] for tag in workspace.library.metatags(ui_tenant.group_id)] == [
        "summer"
    ]
