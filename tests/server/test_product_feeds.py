"""Product feed imports over HTTP: formats, refused items, failures that keep the previous
catalogue, the import lifecycle (409 / 412), and product hotspots that resolve."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import (
    PdfSite,
    ServerFactory,
    Tenant,
    make_tenant,
    upload,
    wait_for_conversion,
)
from tests.sample_feeds import (
    atom,
    feeds_path,
    imported,
    rss,
    rss_item,
    start_import,
    wait_for_import,
)
from tests.sample_pdfs import PageSpec, build_pdf, catalogue_pdf


def catalogue(tenant: Tenant, **params: str) -> list[dict[str, Any]]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/products", params=params)
    assert response.status_code == 200, response.text
    return response.json()["products"]  # type: ignore[no-any-return]


def test_rss_feed_import_fills_the_catalogue(tenant: Tenant, pdf_site: PdfSite) -> None:
    url = pdf_site.add("/feeds/rss-ok.xml", rss(rss_item("A-1"), rss_item("B-2", "Boots")))
    created = start_import(tenant, url)
    assert created["state"] == "scheduled" and created["url"] == url
    feed = wait_for_import(tenant, created["id"])
    assert (feed["state"], feed["success_count"], feed["failed_count"]) == ("success", 2, 0)
    products = {p["sku"]: p for p in catalogue(tenant)}
    assert set(products) == {"A-1", "B-2"}
    assert products["B-2"] == {
        "sku": "B-2",
        "title": "Boots",
        "url": "https://shop.example/B-2",
        "image_url": "https://shop.example/B-2.jpg",
        "price": "9.99 EUR",
        "description": None,
        "availability": "in stock",
        "brand": "Acme",
    }
    assert [p["sku"] for p in catalogue(tenant, sku="B-2")] == ["B-2"]


def test_atom_feed_uploaded_to_the_server_imports(tenant: Tenant) -> None:
    source = upload(tenant.api, atom(("AT-1", "Hat"), ("AT-2", "Scarf")), "feed.xml")
    feed = imported(tenant, source)
    assert (feed["state"], feed["success_count"]) == ("success", 2)
    assert sorted(p["title"] for p in catalogue(tenant)) == ["Hat", "Scarf"]


def test_csv_feed_counts_refused_rows_with_their_reasons(tenant: Tenant, pdf_site: PdfSite) -> None:
    csv = (
        b"id,title,link,price\n"
        b"C-1,Chair,https://shop.example/c1,49 EUR\n"
        b",No id,https://shop.example/x,1 EUR\n"
        b"C-2,,https://shop.example/c2,2 EUR\n"
        b"C-3,Table,ftp://shop.example/c3,3 EUR\n"
        b"C-1,Chair again,https://shop.example/c1b,49 EUR\n"
        b"C-4,Lamp,,\n"
        b"C-5,Desk,,\n"
        b"C-6,Shelf,,\n"
        b"C-7,Bed,,\n"
        b"C-8,Sofa,,\n"
    )
    feed = imported(tenant, pdf_site.add("/feeds/mixed.csv", csv))
    assert (feed["state"], feed["success_count"], feed["failed_count"]) == ("success", 6, 4)
    reasons = " | ".join(e["reason"] for e in feed["errors_sample"])
    assert "duplicate" in reasons.lower()
    assert [e["position"] for e in feed["errors_sample"]] == [2, 3, 4, 5]
    assert sorted(p["sku"] for p in catalogue(tenant)) == [f"C-{n}" for n in (1, 4, 5, 6, 7, 8)]
    assert next(p for p in catalogue(tenant) if p["sku"] == "C-1")["title"] == "Chair"


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("malformed.xml", b"<rss><channel><item><g:id>X</item></rss>", "line"),
        (
            "bomb.xml",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b"<rss><channel><item><g:id>&lol3;</g:id></item></channel></rss>",
            "entit",
        ),
        (
            "xxe.xml",
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>&x;</g:id>'
            b"<title>t</title></item></channel></rss>",
            "entit",
        ),
        ("columns.csv", b"name,price\nChair,1 EUR\n", "id"),
        ("empty-feed.xml", rss(), "no usable products"),
        ("latin1.csv", "id,title\nL-1,Caf\u00e9\n".encode("latin-1"), "utf-8"),
        ("mostly-refused.csv", b"id,title\nOK-1,Fine\nBAD-1,\nBAD-2,\n", "more than half"),
    ],
)
def test_a_failed_import_says_why_and_keeps_the_previous_catalogue(
    name: str, body: bytes, says: str, tenant: Tenant, pdf_site: PdfSite
) -> None:
    good = imported(tenant, pdf_site.add(f"/feeds/good-{name}.xml", rss(rss_item("KEEP-1"))))
    assert good["state"] == "success"
    feed = imported(tenant, pdf_site.add(f"/feeds/{name}", body))
    assert feed["state"] == "failed"
    assert says.lower() in (feed["error"] or "").lower(), feed["error"]
    assert [p["sku"] for p in catalogue(tenant)] == ["KEEP-1"]
    assert "root:" not in str(feed)  # nothing of /etc/passwd leaks
    assert tenant.api.get("/health").status_code == 200


def test_unreachable_feed_url_fails_the_import(tenant: Tenant) -> None:
    feed = imported(tenant, "http://127.0.0.1:9/feed.xml")
    assert feed["state"] == "failed" and feed["error"]


def test_new_import_or_reimport_while_one_runs_is_409_and_patch_without_url_412(
    tenant: Tenant, pdf_site: PdfSite
) -> None:
    slow = pdf_site.add(
        "/feeds/slow.xml", rss(*(rss_item(f"S-{n}") for n in range(300))), delay_per_4k=0.05
    )
    running = start_import(tenant, slow)
    path = f"{feeds_path(tenant)}/{running['id']}"
    other = pdf_site.add("/feeds/other.xml", rss(rss_item("O-1")))
    again = tenant.api.patch(path, json={"product_feed": {"url": other}})
    assert again.status_code == 409 and again.json()["code"] == "feed_import_running"
    second = tenant.api.post(feeds_path(tenant), json={"product_feed": {"url": other}})
    assert second.status_code == 409
    no_url = tenant.api.patch(path, json={"product_feed": {}})
    assert no_url.status_code == 412
    assert wait_for_import(tenant, running["id"])["success_count"] == 300
    reimport = tenant.api.patch(path, json={"product_feed": {"url": other}})
    assert reimport.status_code == 200, reimport.text
    assert reimport.json()["product_feed"]["state"] == "scheduled"
    done = wait_for_import(tenant, running["id"])
    assert (done["url"], done["success_count"]) == (other, 1)
    assert [p["sku"] for p in catalogue(tenant)] == ["O-1"]


def test_list_shows_the_last_five_imports_newest_first_and_delete_clears_the_catalogue(
    tenant: Tenant, pdf_site: PdfSite
) -> None:
    ids = [
        imported(tenant, pdf_site.add(f"/feeds/n{n}.xml", rss(rss_item(f"N-{n}"))))["id"]
        for n in range(6)
    ]
    listed = tenant.api.get(feeds_path(tenant)).json()["product_feeds"]
    assert [f["id"] for f in listed] == ids[::-1][:5]
    assert tenant.api.delete(f"{feeds_path(tenant)}/{ids[-1]}").status_code == 204
    assert catalogue(tenant) == []
    assert tenant.api.get(f"{feeds_path(tenant)}/{ids[-1]}").status_code == 404


def test_another_accounts_feed_is_404(
    tenant: Tenant, other_tenant: Tenant, pdf_site: PdfSite
) -> None:
    feed = imported(tenant, pdf_site.add("/feeds/private.xml", rss(rss_item("P-1"))))
    assert (
        other_tenant.api.get(f"/v2/groups/{tenant.group_id}/product_feeds/{feed['id']}").status_code
        == 404
    )
    assert other_tenant.api.get(f"/v2/groups/{tenant.group_id}/products").status_code == 404


def test_product_hotspots_list_resolved_products_and_unknown_skus(
    converting_tenant: Tenant, pdf_site: PdfSite
) -> None:
    tenant = converting_tenant
    imported(tenant, pdf_site.add("/feeds/wp.xml", rss(rss_item("WP06-29-Black", "Wall plug"))))
    source = upload(tenant.api, catalogue_pdf())
    publication = tenant.create_publication("Catalogue", source_url=source)
    assert (
        wait_for_conversion(tenant.api, tenant.group_id, publication["id"])["state"] == "finished"
    )
    spreads = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}/spreads"
    ).json()["spreads"]
    first = spreads[0]["id"]
    hotspots = tenant.api.get(f"/v2/spreads/{first}/hotspots").json()["hotspots"]
    [product] = [h for h in hotspots if h["type"] == "product"]
    assert [p["title"] for p in product["products"]] == ["Wall plug"]
    assert product["unknown_skus"] == []
    made = tenant.api.post(
        f"/v2/spreads/{first}/hotspots",
        json={
            "hotspot": {
                "type": "product",
                "skus": ["WP06-29-Black", "NOPE-1"],
                "x": 0.1,
                "y": 0.1,
                "width": 0.1,
                "height": 0.1,
            }
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()["hotspot"]
    assert [p["sku"] for p in body["products"]] == ["WP06-29-Black"]
    assert body["unknown_skus"] == ["NOPE-1"]


def test_extraction_options_products_finds_catalogue_skus_in_page_text(
    converting_tenant: Tenant, pdf_site: PdfSite
) -> None:
    tenant = converting_tenant
    imported(tenant, pdf_site.add("/feeds/text.xml", rss(rss_item("TX-100"), rss_item("TX-200"))))
    pdf = build_pdf([PageSpec(text="Our bestseller TX-100 is back"), PageSpec(text="No SKU here")])
    publication = tenant.create_publication(
        "Text SKUs", source_url=upload(tenant.api, pdf), extraction_options={"products": {}}
    )
    assert (
        wait_for_conversion(tenant.api, tenant.group_id, publication["id"])["state"] == "finished"
    )
    spreads = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}/spreads"
    ).json()["spreads"]
    found = [
        h
        for spread in spreads
        for h in tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"]
        if h["type"] == "product"
    ]
    assert [h["skus"] for h in found] == [["TX-100"]]
    assert found[0]["products"][0]["sku"] == "TX-100"


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_100000_item_feed_imports_with_server_peak_memory_under_200_mb(
    server_factory: ServerFactory, pdf_site: PdfSite
) -> None:
    live = server_factory("--conversion-processes", "0", "--rate-limit", "0")
    tenant = make_tenant(live)
    items = "".join(rss_item(f"BIG-{n:06d}") for n in range(100_000))
    url = pdf_site.add("/feeds/big.xml", rss(items))
    feed = wait_for_import(tenant, start_import(tenant, url)["id"], timeout=300)
    assert (feed["state"], feed["success_count"]) == ("success", 100_000)
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/products", params={"page": 1})
    assert response.headers["X-Total-Count"] == "100000"
    assert _peak_rss_mb(live.process.pid) < 200


def test_an_import_interrupted_by_a_restart_runs_again(
    server_factory: ServerFactory, pdf_site: PdfSite
) -> None:
    live = server_factory("--conversion-processes", "0")
    tenant = make_tenant(live)
    slow = pdf_site.add(
        "/feeds/restart.xml", rss(*(rss_item(f"R-{n}") for n in range(200))), delay_per_4k=0.05
    )
    feed = start_import(tenant, slow)
    deadline = time.monotonic() + 20
    while (
        tenant.api.get(f"{feeds_path(tenant)}/{feed['id']}").json()["product_feed"]["state"]
        != "processing"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    live.kill()
    restarted = server_factory.restart(live, "--conversion-processes", "0")
    tenant.server = restarted
    tenant.api.base = restarted.url
    done = wait_for_import(tenant, feed["id"])
    assert (done["state"], done["success_count"]) == ("success", 200)


def test_stale_if_match_on_patch_or_delete_changes_nothing(
    tenant: Tenant, pdf_site: PdfSite
) -> None:
    feed = imported(tenant, pdf_site.add("/feeds/etag.xml", rss(rss_item("E-1"))))
    path = f"{feeds_path(tenant)}/{feed['id']}"
    current = tenant.api.get(path).headers["ETag"]
    stale = {"If-Match": '"stale"'}
    other = pdf_site.add("/feeds/etag-2.xml", rss(rss_item("E-2")))
    patched = tenant.api.patch(path, json={"product_feed": {"url": other}}, headers=stale)
    assert patched.status_code == 412
    assert tenant.api.delete(path, headers=stale).status_code == 412
    assert [p["sku"] for p in catalogue(tenant)] == ["E-1"]
    assert tenant.api.delete(path, headers={"If-Match": current}).status_code == 204


def test_a_reimported_older_feed_leads_the_list(tenant: Tenant, pdf_site: PdfSite) -> None:
    ids = [
        imported(tenant, pdf_site.add(f"/feeds/order{n}.xml", rss(rss_item(f"OR-{n}"))))["id"]
        for n in range(6)
    ]
    path = f"{feeds_path(tenant)}/{ids[0]}"
    again = pdf_site.add("/feeds/order-again.xml", rss(rss_item("OR-again")))
    assert tenant.api.patch(path, json={"product_feed": {"url": again}}).status_code == 200
    wait_for_import(tenant, ids[0])
    listed = [f["id"] for f in tenant.api.get(feeds_path(tenant)).json()["product_feeds"]]
    assert listed[0] == ids[0] and len(listed) == 5


def test_feed_urls_are_shown_without_credentials_or_query_values(
    tenant: Tenant, pdf_site: PdfSite
) -> None:
    url = pdf_site.add("/feeds/token.xml?api_key=SECRET", rss(rss_item("T-1")))
    secret_url = url.replace("http://", "http://user:hunter2@")
    feed = imported(tenant, secret_url)
    assert feed["state"] == "success"
    listed = tenant.api.get(feeds_path(tenant)).text
    assert "hunter2" not in listed and "SECRET" not in listed and "user:" not in listed
    assert feed["url"].endswith("/feeds/token.xml?api_key=***")
    bad_port = tenant.api.post(
        feeds_path(tenant), json={"product_feed": {"url": "http://127.0.0.1:99999/f.xml"}}
    )
    assert bad_port.status_code == 422 and "url" in bad_port.json()["errors"]


def test_deleting_an_import_while_it_downloads_frees_the_worker_at_once(
    tenant: Tenant, other_tenant: Tenant, pdf_site: PdfSite
) -> None:
    slow = pdf_site.add(
        "/feeds/very-slow.xml", rss(*(rss_item(f"V-{n}") for n in range(2000))), delay_per_4k=0.2
    )
    running = start_import(tenant, slow)
    deadline = time.monotonic() + 20
    path = f"{feeds_path(tenant)}/{running['id']}"
    while tenant.api.get(path).json()["product_feed"]["state"] != "processing":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert tenant.api.delete(path).status_code == 204
    started = time.monotonic()
    quick = imported(other_tenant, pdf_site.add("/feeds/quick.xml", rss(rss_item("Q-1"))))
    assert quick["state"] == "success"
    assert time.monotonic() - started < 6


def test_an_import_interrupted_too_often_fails_instead_of_running_again(
    server_factory: ServerFactory, pdf_site: PdfSite
) -> None:
    from app.server.models import ProductFeed

    live = server_factory("--conversion-processes", "0")
    tenant = make_tenant(live)
    feed = imported(tenant, pdf_site.add("/feeds/crashy.xml", rss(rss_item("CR-1"))))
    live.stop()
    with live.db.write() as session:
        row = session.get(ProductFeed, feed["id"])
        assert row is not None
        row.state, row.attempts = "processing", 3
    restarted = server_factory.restart(live, "--conversion-processes", "0")
    tenant.api.base = restarted.url
    after = tenant.api.get(f"{feeds_path(tenant)}/{feed['id']}").json()["product_feed"]
    assert after["state"] == "failed" and "interrupted 3 times" in after["error"]
    assert [p["sku"] for p in catalogue(tenant)] == ["CR-1"]
