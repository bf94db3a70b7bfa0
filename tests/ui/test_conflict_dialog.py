"""The conflict dialog on real conflicts: an edit here and an edit of the same field on the
server (over HTTP), met at a sync; resolved through the dialog's buttons and checked on the
server after the next sync."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.ui.conflict_dialog import ConflictDialog
from app.ui.workspace import Workspace
from tests.conftest import Tenant
from tests.ui.conftest import sync_and_wait


def _on_server(tenant: Tenant, pub_id: int) -> dict[str, Any]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{pub_id}")
    assert response.status_code == 200, response.text
    return response.json()["publication"][0]  # type: ignore[no-any-return]


def _conflict(
    workspace: Workspace,
    tenant: Tenant,
    qtbot: Any,
    title: str,
    mine: dict[str, Any],
    theirs: dict[str, Any],
) -> int:
    """A publication edited here (``mine``) and on the server (``theirs``), then synced."""
    pub_id = int(tenant.create_publication(title)["id"])
    sync_and_wait(workspace, qtbot)
    workspace.library.update_publication(pub_id, mine)
    path = f"/v2/groups/{tenant.group_id}/publications/{pub_id}"
    assert tenant.api.put(path, json={"publication": theirs}).status_code == 200
    report = sync_and_wait(workspace, qtbot)
    assert report.conflicts == 1
    return pub_id


def _open(workspace: Workspace, qtbot: Any) -> ConflictDialog:
    dialog = ConflictDialog(workspace, None)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    return dialog


def _cells(dialog: ConflictDialog) -> list[tuple[str, str, str]]:
    table = dialog.table
    return [
        (table.item(row, 0).text(), table.item(row, 1).text(), table.item(row, 2).text())
        for row in range(table.rowCount())
    ]


def _click_and_wait_for_reload(dialog: ConflictDialog, button: Any, qtbot: Any) -> None:
    with (
        qtbot.waitSignal(dialog.workspace.changed, timeout=10_000),
        qtbot.waitSignal(dialog.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_both_versions_side_by_side_and_keep_mine_sends_mine(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    pub_id = _conflict(
        workspace, ui_tenant, qtbot, "Autumn", {"title": "Autumn ours"}, {"title": "Autumn theirs"}
    )
    dialog = _open(workspace, qtbot)

    assert dialog.list.count() == 1
    assert dialog.list.item(0).text() == "Publication “Autumn ours” — title"
    assert _cells(dialog) == [("Title", "Autumn ours", "Autumn theirs")]
    assert [dialog.table.horizontalHeaderItem(n).text() for n in range(3)] == [
        "Field",
        "Yours",
        "On the server",
    ]

    _click_and_wait_for_reload(dialog, dialog.mine_button, qtbot)

    assert dialog.list.count() == 0
    assert dialog.stack.currentWidget() is dialog.empty
    assert "No conflicts left" in dialog.empty.text()
    assert not dialog.mine_button.isEnabled()
    sync_and_wait(workspace, qtbot)
    assert _on_server(ui_tenant, pub_id)["title"] == "Autumn ours"
    assert workspace.library.outbox() == []


def test_keep_theirs_drops_my_edit_here_and_on_the_server(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    pub_id = _conflict(
        workspace, ui_tenant, qtbot, "Winter", {"title": "Winter ours"}, {"title": "Winter theirs"}
    )
    dialog = _open(workspace, qtbot)

    _click_and_wait_for_reload(dialog, dialog.theirs_button, qtbot)

    assert dialog.list.count() == 0
    assert workspace.library.publication(pub_id).data["title"] == "Winter theirs"
    assert not workspace.library.publication(pub_id).conflict
    sync_and_wait(workspace, qtbot)
    assert _on_server(ui_tenant, pub_id)["title"] == "Winter theirs"


def test_apply_my_choices_keeps_the_version_chosen_for_each_field(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    pub_id = _conflict(
        workspace,
        ui_tenant,
        qtbot,
        "Spring",
        {"title": "Spring B", "description": "from B"},
        {"title": "Spring A", "description": "from A"},
    )
    dialog = _open(workspace, qtbot)
    assert sorted(_cells(dialog)) == [
        ("Description", "from B", "from A"),
        ("Title", "Spring B", "Spring A"),
    ]
    assert dialog.choices["title"].currentText() == "Yours"

    server_choice = dialog.choices["description"]
    server_choice.setCurrentIndex(server_choice.findText("Server's"))
    row = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())].index(
        "Description"
    )
    # The kept version reads in bold across the row.
    assert dialog.table.item(row, 2).font().bold()
    assert not dialog.table.item(row, 1).font().bold()
    _click_and_wait_for_reload(dialog, dialog.apply_button, qtbot)

    assert dialog.list.count() == 0
    sync_and_wait(workspace, qtbot)
    on_server = _on_server(ui_tenant, pub_id)
    assert (on_server["title"], on_server["description"]) == ("Spring B", "from A")


def test_an_archive_that_met_an_edit_is_explained_and_keep_theirs_brings_it_back(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    pub_id = int(ui_tenant.create_publication("Lookbook")["id"])
    sync_and_wait(workspace, qtbot)
    workspace.library.archive_publication(pub_id)
    path = f"/v2/groups/{ui_tenant.group_id}/publications/{pub_id}"
    ui_tenant.api.put(path, json={"publication": {"title": "Lookbook 2027"}})
    sync_and_wait(workspace, qtbot)

    dialog = _open(workspace, qtbot)
    assert dialog.list.item(0).text() == (
        "Publication “Lookbook 2027” — archived here, changed on the server"
    )
    assert "You archived this publication here" in dialog.explanation.text()
    assert ("Title", "", "Lookbook 2027") in _cells_server_only(dialog)
    assert dialog.mine_button.text().replace("&", "") == "Archive it anyway"
    assert dialog.apply_button.isHidden()

    _click_and_wait_for_reload(dialog, dialog.theirs_button, qtbot)

    assert workspace.library.publication(pub_id).data["title"] == "Lookbook 2027"
    sync_and_wait(workspace, qtbot)
    assert _on_server(ui_tenant, pub_id)["title"] == "Lookbook 2027"


def test_archive_it_anyway_archives_it_on_the_server(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    pub_id = int(ui_tenant.create_publication("Old stock")["id"])
    sync_and_wait(workspace, qtbot)
    workspace.library.archive_publication(pub_id)
    path = f"/v2/groups/{ui_tenant.group_id}/publications/{pub_id}"
    ui_tenant.api.put(path, json={"publication": {"title": "Old stock (edited)"}})
    sync_and_wait(workspace, qtbot)
    dialog = _open(workspace, qtbot)

    _click_and_wait_for_reload(dialog, dialog.mine_button, qtbot)

    sync_and_wait(workspace, qtbot)
    assert ui_tenant.api.get(path).status_code == 404


def test_after_resolving_one_the_next_conflict_is_shown(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    _conflict(workspace, ui_tenant, qtbot, "Shoes", {"title": "Shoes A"}, {"title": "Shoes B"})
    _conflict(workspace, ui_tenant, qtbot, "Bags", {"slug": "bags-here"}, {"slug": "bags-there"})
    dialog = _open(workspace, qtbot)
    assert [dialog.list.item(n).text() for n in range(2)] == [
        "Publication “Shoes A” — title",
        "Publication “Bags” — slug",
    ]
    assert dialog.windowTitle() == "Conflicts (2)"

    _click_and_wait_for_reload(dialog, dialog.theirs_button, qtbot)

    assert dialog.list.count() == 1
    assert dialog.heading.text() == "Publication “Bags”"
    assert _cells(dialog) == [("Slug", "bags-here", "bags-there")]


def _cells_server_only(dialog: ConflictDialog) -> list[tuple[str, str, str]]:
    """A deletion shows only the server's version (the Yours column is hidden)."""
    assert dialog.table.isColumnHidden(1)
    table = dialog.table
    return [
        (table.item(row, 0).text(), "", table.item(row, 2).text())
        for row in range(table.rowCount())
    ]
