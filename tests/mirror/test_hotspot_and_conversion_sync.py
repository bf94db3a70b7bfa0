"""A converted publication's spreads, hotspots and conversions reach the mirror, and hotspot
edits made in the mirror reach the server and the other mirror."""

from __future__ import annotations

from collections.abc import Callable

from app.mirror.library import Library
from tests.conftest import Tenant, upload, wait_for_conversion
from tests.mirror.conftest import session_for, synced
from tests.sample_pdfs import catalogue_pdf

OpenLibrary = Callable[[str], Library]


def _converted(tenant: Tenant) -> int:
    source = upload(tenant.api, catalogue_pdf())
    publication = tenant.create_publication("Hotspots", source_url=source)
    finished = wait_for_conversion(tenant.api, tenant.group_id, publication["id"])
    assert finished["state"] == "finished", finished
    return int(publication["id"])


def test_spreads_hotspots_and_conversions_are_mirrored(
    converting_tenant: Tenant, open_library: OpenLibrary
) -> None:
    publication_id = _converted(converting_tenant)
    library = open_library("designer")
    synced(library, session_for(converting_tenant.server.url, converting_tenant.key))
    spreads = library.spreads(publication_id)
    assert [s.data["page_numbers"] for s in spreads] == [[1], [2, 3]]
    hotspots = [h for s in spreads for h in library.hotspots(s.id)]
    assert {h.data["type"] for h in hotspots} >= {"external_link", "product"}
    [conversion] = library.conversions(publication_id)
    assert conversion.data["state"] == "finished"
    assert library.publication(publication_id).data["page_count"] == 3


def test_hotspot_created_moved_and_deleted_in_one_mirror_reaches_the_other(
    converting_tenant: Tenant, open_library: OpenLibrary
) -> None:
    tenant = converting_tenant
    publication_id = _converted(tenant)
    api = session_for(tenant.server.url, tenant.key)
    designer, reviewer = open_library("designer"), open_library("reviewer")
    synced(designer, api)
    synced(reviewer, api)
    spread = designer.spreads(publication_id)[0]
    [local_id] = designer.create_hotspot(
        spread.id,
        {
            "type": "external_link",
            "url": "https://example.com/new",
            "x": 0.1,
            "y": 0.1,
            "width": 0.2,
            "height": 0.1,
        },
    ).ids
    synced(designer, api)
    created = next(
        h for h in designer.hotspots(spread.id) if h.data.get("url") == "https://example.com/new"
    )
    assert created.id > 0 and local_id < 0
    designer.update_hotspot(created.id, {"x": 0.3})
    synced(designer, api)
    synced(reviewer, api)
    seen = next(h for h in reviewer.hotspots(spread.id) if h.id == created.id)
    assert abs(seen.data["x"] - 0.3) < 1e-3
    reviewer.delete_hotspot(created.id)
    synced(reviewer, api)
    synced(designer, api)
    assert created.id not in {h.id for h in designer.hotspots(spread.id)}
    listed = tenant.api.get(f"/v2/spreads/{spread.id}/hotspots").json()["hotspots"]
    assert created.id not in {h["id"] for h in listed}
