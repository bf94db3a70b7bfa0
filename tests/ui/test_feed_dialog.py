"""The product feed dialog against a real server: an uploaded feed file imported with its
counts and catalogue shown, a failing feed with its reason, addresses checked before they are
sent, a second import while one runs explained, re-import, Delete clearing the catalogue, and
what it shows offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.ui.feed_dialog import ProductFeedDialog
from app.ui.feed_url_dialog import feed_url_problem
from app.ui.workspace import Workspace
from tests.conftest import PdfSite, Tenant, upload
from tests.sample_feeds import feeds_path, imported, rss, rss_item, start_import, wait_for_import
from tests.ui.conftest import sync_and_wait
from tests.ui.window_driver import answer_next_question

MIXED_CSV = (
    b"id,title,link,price\n"
    b"C-1,Chair,https://shop.example/c1,49 EUR\n"
    b"C-2,,https://shop.example/c2,2 EUR\n"
    b"C-3,Table,https://shop.example/c3,120 EUR\n"
    b"C-4,Lamp,https://shop.example/c4,15 EUR\n"
)


def catalogue(tenant: Tenant) -> list[dict[str, Any]]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/products")
    assert response.status_code == 200, response.text
    return response.json()["products"]  # type: ignore[no-any-return]


def server_feeds(tenant: Tenant) -> list[dict[str, Any]]:
    return tenant.api.get(feeds_path(tenant)).json()["product_feeds"]  # type: ignore[no-any-return]


def open_dialog(workspace: Workspace, tenant: Tenant, qtbot: Any) -> ProductFeedDialog:
    dialog = ProductFeedDialog(workspace, tenant.group_id, None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def row(dialog: ProductFeedDialog, index: int = 0) -> list[str]:
    item = dialog.tree.topLevelItem(index)
    return [item.text(column) for column in range(dialog.tree.columnCount())]


def row_state(dialog: ProductFeedDialog, index: int = 0) -> str:
    if dialog.tree.topLevelItemCount() <= index:
        return ""
    holder = dialog.tree.itemWidget(dialog.tree.topLevelItem(index), 1)
    return holder.layout().itemAt(0).widget().text()  # type: ignore[no-any-return]


def test_a_feed_file_is_uploaded_and_imported_with_its_counts_and_catalogue_shown(
    workspace: Workspace, ui_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    feed = tmp_path / "shop-feed.csv"
    feed.write_bytes(MIXED_CSV)
    changed: list[object] = []
    workspace.changed.connect(changed.append)
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    qtbot.waitUntil(lambda: dialog.empty.isVisibleTo(dialog), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "0 products", timeout=10_000)

    dialog.import_file(feed)
    qtbot.waitUntil(lambda: row_state(dialog) == "success", timeout=30_000)
    source, _state, accepted, refused, started, _finished = row(dialog)
    assert source.endswith("/v2/uploads/" + source.rsplit("/", 1)[-1])  # the upload's url
    assert (accepted, refused) == ("3", "1")
    assert started
    qtbot.waitUntil(lambda: "Import finished" in dialog.status.text(), timeout=10_000)
    assert dialog.status.text() == "Import finished: 3 products imported, 1 refused."
    assert "1 items were refused" in dialog.details.text()
    assert sorted(p["sku"] for p in catalogue(ui_tenant)) == ["C-1", "C-3", "C-4"]

    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "3 products", timeout=10_000)
    assert [dialog.catalogue.shown[n] for n in range(3)] == [
        ("C-1", "Chair", "49 EUR"),
        ("C-3", "Table", "120 EUR"),
        ("C-4", "Lamp", "15 EUR"),
    ]
    qtbot.keyClicks(dialog.search, "tab")
    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "1 of 3 products match")
    assert dialog.products_view.model().rowCount() == 1
    assert changed  # the window syncs: product hotspots resolve against the new catalogue
    assert not dialog.poller.active


def test_a_failing_feed_shows_why_in_red(
    workspace: Workspace, ui_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    feed = tmp_path / "broken.xml"
    feed.write_bytes(b"<rss><channel><item><g:id>X</item></rss>")
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    dialog.import_file(feed)
    qtbot.waitUntil(lambda: row_state(dialog) == "failed", timeout=30_000)
    error = server_feeds(ui_tenant)[0]["error"]
    assert error
    assert dialog.details.text() == f"Why it failed: {error}"
    assert "#c62828" in dialog.details.styleSheet()
    assert dialog.status.text() == f"The import failed: {error}"


def test_addresses_are_checked_before_anything_is_sent(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    dialog.start_import("ftp://shop.example/feed.xml")
    assert dialog.status.text() == "The address must start with http:// or https://."
    dialog.start_import("shop.example/feed.xml")
    assert "http://" in dialog.status.text()
    qtbot.wait(200)
    assert server_feeds(ui_tenant) == []


def test_a_second_import_while_one_runs_is_explained_and_status_is_live(
    workspace: Workspace, ui_tenant: Tenant, pdf_site: PdfSite, qtbot: Any
) -> None:
    slow = pdf_site.add(
        "/feed-dialog/slow.xml", rss(*(rss_item(f"S-{n}") for n in range(200))), delay_per_4k=0.1
    )
    other = pdf_site.add("/feed-dialog/other.xml", rss(rss_item("O-1")))
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    dialog.start_import(slow)
    qtbot.waitUntil(lambda: row_state(dialog) in ("scheduled", "processing"), timeout=10_000)
    assert dialog.poller.active

    dialog.start_import(other)
    qtbot.waitUntil(lambda: "still running" in dialog.status.text(), timeout=10_000)
    assert "only one can run at a time" in dialog.status.text()
    assert len(server_feeds(ui_tenant)) == 1

    qtbot.waitUntil(lambda: row_state(dialog) == "success", timeout=60_000)
    assert row(dialog)[2] == "200"
    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "200 products", timeout=10_000)


def test_reimport_takes_a_new_address(
    workspace: Workspace, ui_tenant: Tenant, pdf_site: PdfSite, qtbot: Any
) -> None:
    first = imported(ui_tenant, pdf_site.add("/feed-dialog/first.xml", rss(rss_item("F-1"))))
    second = pdf_site.add("/feed-dialog/second.xml", rss(rss_item("N-1"), rss_item("N-2")))
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    qtbot.waitUntil(lambda: row_state(dialog) == "success", timeout=10_000)

    dialog.reimport(first["id"], "shop.example/feed.xml")
    assert "http://" in dialog.status.text()
    dialog.reimport(first["id"], second)
    # The counts grow before the import ends: wait for its final state too.
    qtbot.waitUntil(
        lambda: row(dialog)[0] == second and row_state(dialog) == "success", timeout=30_000
    )
    assert row(dialog)[2] == "2"
    assert sorted(p["sku"] for p in catalogue(ui_tenant)) == ["N-1", "N-2"]
    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "2 products", timeout=10_000)


def test_delete_asks_first_and_clears_the_catalogue(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    source = upload(ui_tenant.api, rss(rss_item("D-1"), rss_item("D-2")), "feed.xml")
    feed = imported(ui_tenant, source)
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "2 products", timeout=10_000)
    qtbot.waitUntil(lambda: dialog.chosen_feed() is not None, timeout=10_000)

    answer_next_question("Cancel")
    dialog.delete_button.click()
    assert len(catalogue(ui_tenant)) == 2

    answer_next_question("Delete and clear catalogue")
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: catalogue(ui_tenant) == [], timeout=10_000)
    response = ui_tenant.api.get(f"{feeds_path(ui_tenant)}/{feed['id']}")
    assert response.status_code == 404
    qtbot.waitUntil(lambda: dialog.catalogue_count.text() == "0 products", timeout=10_000)
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 0, timeout=10_000)
    assert "catalogue cleared" in dialog.status.text()


def test_feed_urls_with_secrets_are_shown_as_the_server_masks_them(
    workspace: Workspace, ui_tenant: Tenant, pdf_site: PdfSite, qtbot: Any
) -> None:
    url = pdf_site.add("/feed-dialog/private.xml", rss(rss_item("P-1")))
    secret = url.replace("http://", "http://shop:hunter2@") + "?token=abc123"
    wait_for_import(ui_tenant, start_import(ui_tenant, secret)["id"])
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    qtbot.waitUntil(lambda: row_state(dialog) != "", timeout=10_000)
    shown = row(dialog)[0]
    assert "hunter2" not in shown and "abc123" not in shown
    assert shown == server_feeds(ui_tenant)[0]["url"]


def test_offline_it_says_so_and_shows_the_synced_catalogue(
    workspace: Workspace, ui_tenant: Tenant, qtbot: Any
) -> None:
    imported(ui_tenant, upload(ui_tenant.api, rss(rss_item("K-1"), rss_item("K-2")), "k.xml"))
    sync_and_wait(workspace, qtbot)
    workspace.connection = None
    dialog = open_dialog(workspace, ui_tenant, qtbot)
    qtbot.waitUntil(lambda: "2 products" in dialog.catalogue_count.text(), timeout=10_000)
    assert dialog.catalogue_count.text() == "2 products (as of the last sync)"
    assert "not connected" in dialog.notice.text()
    assert not dialog.import_url_button.isEnabled()
    assert not dialog.import_file_button.isEnabled()
    dialog.start_import("https://shop.example/feed.xml")
    assert "not connected" in dialog.status.text()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("https://shop.example/feed.xml", None),
        ("http://127.0.0.1:8080/f.csv", None),
        ("", "Enter"),
        ("ftp://shop.example/f.xml", "http://"),
        ("https://", "no host"),
        ("https://shop.example:99999/f.xml", "port"),
        ("https://shop example/f.xml", "spaces"),
    ],
)
def test_feed_addresses_are_checked(text: str, problem: str | None) -> None:
    found = feed_url_problem(text)
    assert (found is None) if problem is None else (problem in (found or ""))
