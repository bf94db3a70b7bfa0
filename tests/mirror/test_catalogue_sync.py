"""The mirror keeps each group's product catalogue as the last finished import left it."""

from __future__ import annotations

from collections.abc import Callable

from app.mirror.library import Library
from tests.conftest import PdfSite, Tenant
from tests.mirror.conftest import session_for, synced
from tests.sample_feeds import imported, rss, rss_item

OpenLibrary = Callable[[str], Library]


def test_a_finished_import_reaches_the_mirror_and_a_deleted_feed_empties_it(
    tenant: Tenant, pdf_site: PdfSite, open_library: OpenLibrary
) -> None:
    library = open_library("catalogue")
    api = session_for(tenant.server.url, tenant.key)
    feed = imported(
        tenant, pdf_site.add("/feeds/mirror-1.xml", rss(rss_item("M-1", "Mug"), rss_item("M-2")))
    )
    synced(library, api)
    assert [p.data["title"] for p in library.products(tenant.group_id, ["M-1"])] == ["Mug"]
    assert len(library.products(tenant.group_id)) == 2

    imported(tenant, pdf_site.add("/feeds/mirror-2.xml", rss(rss_item("M-3", "Plate"))))
    synced(library, api)
    assert [p.data["sku"] for p in library.products(tenant.group_id)] == ["M-3"]

    path = f"/v2/groups/{tenant.group_id}/product_feeds/{feed['id']}"
    assert tenant.api.delete(path).status_code == 204
    synced(library, api)
    assert library.products(tenant.group_id) == []
    # Nothing changed since: a re-sync fetches no catalogue.
    assert synced(library, api).pulled == 0


def test_a_failed_import_leaves_the_mirrored_catalogue_alone(
    tenant: Tenant, pdf_site: PdfSite, open_library: OpenLibrary
) -> None:
    library = open_library("catalogue")
    api = session_for(tenant.server.url, tenant.key)
    imported(tenant, pdf_site.add("/feeds/keep.xml", rss(rss_item("K-1"))))
    synced(library, api)
    failed = imported(tenant, pdf_site.add("/feeds/broken.xml", b"<rss><channel><item>"))
    assert failed["state"] == "failed"
    synced(library, api)
    assert [p.data["sku"] for p in library.products(tenant.group_id)] == ["K-1"]
