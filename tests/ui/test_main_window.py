"""The main window driven as a user would: drop a PDF, change states in bulk, archive,
filter and search, and see what happens when the server refuses, goes away or revokes the key.
Every outcome is checked on the real server over HTTP and in the real widgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.mirror.publication_query import StateFilter
from app.mirror.sync import SyncStatus
from app.ui.workspace import Workspace
from tests.conftest import LiveServer, Tenant, mark_converted
from tests.sample_pdfs import plain_pdf
from tests.ui.window_driver import (
    answer_next_question,
    drop_files,
    open_messages,
    open_window,
    row_titles,
    sync_window,
    wait_rows_loaded,
)


def server_publications(tenant: Tenant) -> list[dict[str, Any]]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications")
    assert response.status_code == 200, response.text
    return response.json()["publications"]  # type: ignore[no-any-return]


def by_title(tenant: Tenant, title: str) -> dict[str, Any] | None:
    return next((p for p in server_publications(tenant) if p["title"] == title), None)


def test_dropping_a_pdf_creates_a_publication_that_converts(
    converting_workspace: Workspace, converting_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    pdf = tmp_path / "spring_catalogue-2026.pdf"
    pdf.write_bytes(plain_pdf(3))
    window = open_window(converting_workspace, qtbot)
    assert window.empty_hint.isVisible()

    drop_files(window, [pdf])
    qtbot.waitUntil(lambda: window.actions.creator.dialog is not None, timeout=10_000)
    dialog = window.actions.creator.dialog
    assert dialog is not None
    assert dialog.title.text() == "Spring catalogue 2026"  # prefilled from the file name
    dialog.title.clear()
    qtbot.keyClicks(dialog.title, "Spring 2026")
    create = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)

    # At once in the table, selected, marked new; then on the server after the sync.
    qtbot.waitUntil(lambda: "Spring 2026" in row_titles(window), timeout=10_000)
    qtbot.waitUntil(lambda: by_title(converting_tenant, "Spring 2026") is not None, timeout=30_000)
    created = by_title(converting_tenant, "Spring 2026")
    assert created is not None

    def converted() -> bool:
        if not window.sync.running:
            window.sync.sync_now()
        row = window.model.row_of(created["id"])
        data = window.model.row_data(row) if row is not None else None
        return data is not None and data.page_count == 3

    qtbot.waitUntil(converted, timeout=60_000)
    assert window.selected_ids() == [created["id"]]  # followed from its temporary id
    assert window.table.isVisible()


def test_dropping_a_non_pdf_or_a_broken_pdf_explains_and_creates_nothing(
    workspace: Workspace, ui_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    window = open_window(workspace, qtbot)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a catalogue")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)

    drop_files(window, [notes, broken])
    qtbot.waitUntil(lambda: len(open_messages(window)) == 2, timeout=10_000)
    messages = " ".join(open_messages(window))
    assert "notes.txt" in messages and "broken.pdf" in messages
    assert "can't become a publication" in messages
    assert window.actions.creator.dialog is None
    sync_window(window, qtbot)
    assert server_publications(ui_tenant) == []


def test_bulk_online_lists_what_the_server_refused_and_archive_asks_first(
    workspace: Workspace, ui_tenant: Tenant, server: LiveServer, qtbot: Any
) -> None:
    ready = [ui_tenant.create_publication(f"Ready {n}") for n in (1, 2)]
    for publication in ready:
        mark_converted(server, publication["id"], pages=4)
    unconverted = ui_tenant.create_publication("Not converted yet")
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    assert window.model.rowCount() == 3

    window.table.selectAll()
    answer_next_question("Put online")
    window.actions.by_name["online"].trigger()
    qtbot.waitUntil(lambda: window.actions.bulk.result_dialog is not None, timeout=30_000)
    results = window.actions.bulk.result_dialog
    assert results is not None
    assert "1 of 3 failed" in results.windowTitle()
    refused = results.tree.topLevelItem(0)
    assert refused.text(0) == "Not converted yet"
    assert "Refused by the server" in refused.text(1)
    states = {p["title"]: p["state"] for p in server_publications(ui_tenant)}
    assert states == {"Ready 1": "online", "Ready 2": "online", "Not converted yet": "offline"}

    # The refused row says so in the table.
    def marked_refused() -> bool:
        row = window.model.row_of(unconverted["id"])
        data = window.model.row_data(row) if row is not None else None
        return data is not None and data.sync_error is not None

    qtbot.waitUntil(marked_refused, timeout=10_000)

    window.select_ids([ready[0]["id"]])
    answer_next_question("Cancel")
    window.actions.by_name["archive"].trigger()
    assert by_title(ui_tenant, "Ready 1") is not None  # nothing happens on Cancel

    answer_next_question("Archive")
    window.actions.by_name["archive"].trigger()
    qtbot.waitUntil(lambda: by_title(ui_tenant, "Ready 1") is None, timeout=30_000)
    response = ui_tenant.api.get(f"/v2/groups/{ui_tenant.group_id}/publications/{ready[0]['id']}")
    assert response.status_code == 404
    qtbot.waitUntil(lambda: "Ready 1" not in row_titles(window), timeout=10_000)


def test_filters_and_search_narrow_the_table(
    workspace: Workspace, ui_tenant: Tenant, server: LiveServer, qtbot: Any
) -> None:
    for title in ("Autumn catalogue", "Autumn flyer", "Winter catalogue", "Spring sale"):
        ui_tenant.create_publication(title)
    online = ui_tenant.create_publication("Summer online")
    mark_converted(server, online["id"])
    assert (
        ui_tenant.api.post(
            f"/v2/groups/{ui_tenant.group_id}/publications/{online['id']}/online"
        ).status_code
        == 200
    )
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    assert window.model.rowCount() == 5

    qtbot.keyClicks(window.filters.search, "autumn")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5_000)
    wait_rows_loaded(window, qtbot)
    assert sorted(row_titles(window)) == ["Autumn catalogue", "Autumn flyer"]
    assert window.filters.count.text() == "2 publications"

    window.filters.search.clear()
    window.filters.state.setCurrentIndex(window.filters.state.findData(StateFilter.ONLINE.value))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5_000)
    wait_rows_loaded(window, qtbot)
    assert row_titles(window) == ["Summer online"]

    # A filter that matches nothing keeps the table, with its count.
    qtbot.keyClicks(window.filters.search, "nothing like this")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=5_000)
    assert window.table.isVisible() and not window.empty_hint.isVisible()


def test_sorting_by_a_column_reorders_rows(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    for title in ("Beta", "Alpha", "Gamma"):
        ui_tenant.create_publication(title)
    window = open_window(workspace, qtbot)
    wait_rows_loaded(window, qtbot)
    assert row_titles(window) == ["Alpha", "Beta", "Gamma"]
    window.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not window.model.loading and window.model.query.descending)
    wait_rows_loaded(window, qtbot)
    assert row_titles(window) == ["Gamma", "Beta", "Alpha"]


def test_a_server_that_goes_away_keeps_edits_and_a_revoked_key_is_explained(
    server_factory: Any, tmp_path: Path, qtbot: Any
) -> None:
    from tests.conftest import make_tenant
    from tests.ui.conftest import workspace_for

    live = server_factory("--conversion-processes", "0")
    tenant = make_tenant(live)
    tenant.create_publication("Kept while offline")
    workspace = workspace_for(tmp_path, live, tenant, qtbot)
    try:
        window = open_window(workspace, qtbot)
        wait_rows_loaded(window, qtbot)
        pub_id = window.model.id_at(0)

        live.stop()
        workspace.library.update_publication(pub_id, {"title": "Renamed offline"})
        workspace.changed.emit(None)
        report = sync_window(window, qtbot)
        assert report.status is SyncStatus.OFFLINE
        assert "offline" in window.status.connection.text()
        qtbot.waitUntil(lambda: "1 change to send" in window.status.pending.text(), timeout=5_000)
        wait_rows_loaded(window, qtbot)
        assert row_titles(window) == ["Renamed offline"]  # the edit stays
    finally:
        window.close()
        workspace.runner.wait()
        workspace.close()


def test_a_revoked_key_is_explained_in_the_status_bar(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    window = open_window(workspace, qtbot)
    keys = ui_tenant.api.get("/v2/api_keys").json()["api_keys"]
    for key in keys:
        assert ui_tenant.api.delete(f"/v2/api_keys/{key['id']}").status_code == 204
    report = sync_window(window, qtbot)
    assert report.status is SyncStatus.KEY_REVOKED
    assert "key refused" in window.status.connection.text()
    assert "revoked" in window.status.connection.toolTip()
    assert ui_tenant.key not in window.status.connection.toolTip()


def test_window_geometry_and_table_layout_come_back(workspace: Workspace, qtbot: Any) -> None:
    window = open_window(workspace, qtbot)
    window.table.horizontalHeader().resizeSection(5, 211)
    window.splitter.setSizes([300, 700, 400])
    sizes = window.splitter.sizes()
    window.close()
    stored = QSettings().value("window/geometry")
    assert isinstance(stored, QByteArray) and not stored.isEmpty()

    again = open_window(workspace, qtbot, restored=True)
    assert again.table.horizontalHeader().sectionSize(5) == 211
    assert again.splitter.sizes()[0] == sizes[0]
    # The offscreen platform places windows its own way; the stored geometry applies.
    assert again.restoreGeometry(stored)


def test_a_conflict_is_shown_in_the_status_bar_and_resolved_from_there(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.conflict_dialog import ConflictDialog

    publication = ui_tenant.create_publication("Original title")
    window = open_window(workspace, qtbot)
    # Edited here (not yet sent) and, meanwhile, on the server.
    workspace.library.update_publication(publication["id"], {"title": "My title"})
    path = f"/v2/groups/{ui_tenant.group_id}/publications/{publication['id']}"
    response = ui_tenant.api.put(path, json={"publication": {"title": "Their title"}})
    assert response.status_code == 200, response.text
    sync_window(window, qtbot)
    qtbot.waitUntil(lambda: window.status.conflicts.isVisible(), timeout=5_000)
    assert window.status.conflicts.text() == "⚠ 1 conflict"

    seen: list[str] = []

    def keep_mine() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConflictDialog) or not dialog.mine_button.isEnabled():
            QTimer.singleShot(30, keep_mine)
            return
        seen.append(dialog.table.item(0, 1).text() + " | " + dialog.table.item(0, 2).text())
        dialog.mine_button.click()
        QTimer.singleShot(300, dialog.accept)

    QTimer.singleShot(30, keep_mine)
    window.status.conflicts.click()
    assert seen and "My title" in seen[0] and "Their title" in seen[0]  # side by side
    qtbot.waitUntil(lambda: by_title(ui_tenant, "My title") is not None, timeout=30_000)
    qtbot.waitUntil(lambda: not window.status.conflicts.isVisible(), timeout=10_000)


def test_the_sync_button_cancels_a_running_sync(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    created = [ui_tenant.create_publication(f"Item {number}") for number in range(30)]
    window = open_window(workspace, qtbot)
    # Thirty edits to send: the sync takes long enough to be stopped halfway.
    for publication in created:
        workspace.library.update_publication(publication["id"], {"description": "edited"})
    with qtbot.waitSignal(window.sync.finished, timeout=30_000) as blocker:
        window.status.sync_button.click()
        assert window.status.sync_button.text() == "Cancel sync"
        window.status.sync_button.click()
    assert blocker.args[0].status is SyncStatus.CANCELLED
    assert "cancelled" in window.status.connection.text()
    assert window.status.sync_button.text() == "Sync now"
    assert blocker.args[0].pushed < len(created)
    # Nothing is lost: the next sync sends the rest.
    assert sync_window(window, qtbot).status is SyncStatus.OK
    edited = [p for p in server_publications(ui_tenant) if p["description"] == "edited"]
    assert len(edited) == len(created)
