"""The conversion history dialog on a server that converts: live progress to the end, the
reason of a failure, Cancel for a running conversion, and what it says offline."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QProgressBar

from app.ui.conversion_dialog import ConversionHistoryDialog
from app.ui.workspace import Workspace
from tests.conftest import PdfSite, Tenant, upload, wait_for_conversion
from tests.sample_pdfs import plain_pdf
from tests.ui.conftest import sync_and_wait
from tests.ui.window_driver import answer_next_question


def create_publication(tenant: Tenant, source_url: str, title: str = "Spring") -> dict[str, Any]:
    body = {"publication": {"title": title, "source_url": source_url}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/publications", json=body)
    assert response.status_code == 201, response.text
    return response.json()["publication"]  # type: ignore[no-any-return]


def conversions(tenant: Tenant, publication_id: int) -> list[dict[str, Any]]:
    path = f"/v2/groups/{tenant.group_id}/publications/{publication_id}/conversions"
    return tenant.api.get(path).json()["conversions"]  # type: ignore[no-any-return]


def open_dialog(workspace: Workspace, tenant: Tenant, pub_id: int, qtbot: Any) -> Any:
    dialog = ConversionHistoryDialog(workspace, tenant.group_id, pub_id, None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_progress_bar_follows_a_conversion_live_until_finished(
    converting_workspace: Workspace, converting_tenant: Tenant, pdf_site: PdfSite, qtbot: Any
) -> None:
    # Served slowly, so the dialog opens while the conversion is still under way.
    source = pdf_site.add("/conversion-dialog/live.pdf", plain_pdf(12), delay_per_4k=0.1)
    publication = create_publication(converting_tenant, source)
    changed: list[object] = []
    converting_workspace.changed.connect(changed.append)
    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], qtbot)

    seen: set[str] = set()

    def row_state() -> str:
        row = next(iter(dialog.rows.values()), None)
        if row is not None:
            seen.add(row.state)
        return row.state if row is not None else ""

    qtbot.waitUntil(lambda: row_state() == "finished", timeout=60_000)
    row = next(iter(dialog.rows.values()))
    bar: QProgressBar = row.progress
    assert (bar.minimum(), bar.maximum(), bar.value()) == (0, 12, 12)
    assert row.kind.text() == "New publication"
    assert row.badge.text() == "finished"
    assert "12 pages converted" in row.detail.text()
    assert seen & {"new", "preparing", "converting"}, seen  # it was watched, not just read
    assert changed  # the window syncs soon, for the new pages and the cover
    assert not dialog.poller.active  # nothing left to watch
    assert row.cancel_button.isHidden()


def test_a_failed_conversion_shows_the_servers_reason_in_red(
    converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    source = upload(converting_tenant.api, b"Quarterly numbers, not a PDF", "numbers.pdf")
    publication = create_publication(converting_tenant, source, "Not a PDF")
    failed = wait_for_conversion(
        converting_tenant.api, converting_tenant.group_id, publication["id"]
    )
    assert failed["state"] == "failed"

    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], qtbot)
    qtbot.waitUntil(
        lambda: failed["id"] in dialog.rows and dialog.rows[failed["id"]].badge.text() == "failed",
        timeout=10_000,
    )
    row = dialog.rows[failed["id"]]
    assert failed["state_details"]["error"] in row.reason.text()
    assert "#c62828" in row.reason.styleSheet()
    assert row.reason.isVisible()


def test_cancel_asks_first_then_stops_the_running_conversion(
    converting_workspace: Workspace, converting_tenant: Tenant, pdf_site: PdfSite, qtbot: Any
) -> None:
    # Served very slowly: it is still being fetched when Cancel is clicked.
    source = pdf_site.add("/conversion-dialog/slow.pdf", plain_pdf(20), delay_per_4k=2.0)
    publication = create_publication(converting_tenant, source, "Slow")
    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], qtbot)
    qtbot.waitUntil(
        lambda: any(not row.cancel_button.isHidden() for row in dialog.rows.values()),
        timeout=10_000,
    )
    row = next(iter(dialog.rows.values()))

    answer_next_question("Cancel")  # the question's own Cancel: nothing happens
    row.cancel_button.click()
    assert conversions(converting_tenant, publication["id"])[0]["state"] != "canceled"

    answer_next_question("Stop conversion")
    row.cancel_button.click()
    qtbot.waitUntil(lambda: row.state == "canceled", timeout=30_000)
    assert conversions(converting_tenant, publication["id"])[0]["state"] == "canceled"
    assert row.cancel_button.isHidden()
    assert row.badge.text() == "canceled"


def test_offline_it_shows_the_last_synced_history_and_says_it_is_not_live(
    converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    source = upload(converting_tenant.api, plain_pdf(2))
    publication = create_publication(converting_tenant, source, "Two pages")
    wait_for_conversion(converting_tenant.api, converting_tenant.group_id, publication["id"])
    sync_and_wait(converting_workspace, qtbot)
    converting_workspace.connection = None  # as when the server can't be reached at start

    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], qtbot)
    qtbot.waitUntil(lambda: bool(dialog.rows), timeout=10_000)
    assert "not connected" in dialog.notice.text()
    row = next(iter(dialog.rows.values()))
    assert row.state == "finished"
    assert row.cancel_button.isHidden()
    assert not dialog.poller.active
