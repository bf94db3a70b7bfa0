"""Edges of pages and hotspots: crashes in rendering processes, replays, preconditions,
hotspots across the gutter, references to removed pages, and pages of different sizes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.geometry import PageBox, Rect, SpreadLayout, user_to_page_fraction
from tests.conftest import LiveServer, Tenant, make_tenant, upload, wait_for_conversion
from tests.sample_pdfs import PageSpec, build_pdf, catalogue_pdf, plain_pdf

TOLERANCE = 1e-6


def _converted(tenant: Tenant, data: bytes) -> dict[str, Any]:
    publication = tenant.create_publication("Edges", source_url=upload(tenant.api, data))
    done = wait_for_conversion(tenant.api, tenant.group_id, publication["id"])
    assert done["state"] == "finished", done
    return publication


def _base(tenant: Tenant, publication: dict[str, Any]) -> str:
    return f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"


def _spreads(tenant: Tenant, publication: dict[str, Any]) -> list[dict[str, Any]]:
    return tenant.api.get(_base(tenant, publication) + "/spreads").json()["spreads"]  # type: ignore[no-any-return]


def _hotspots(tenant: Tenant, publication: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for spread in _spreads(tenant, publication):
        found += tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"]
    return found


def _rendering_processes(live: LiveServer) -> list[int]:
    """The server's child processes (Linux /proc: pid, then ppid as the 4th stat field)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == live.process.pid:
            children.append(int(stat.parent.name))
    return children


def test_a_killed_rendering_process_is_replaced_for_the_next_work(server_factory: Any) -> None:
    live: LiveServer = server_factory("--conversion-processes", "1")
    tenant = make_tenant(live)
    publication = _converted(tenant, plain_pdf(3))
    children = _rendering_processes(live)
    assert children, "the server should keep its rendering processes alive"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)

    removed = tenant.api.delete(_base(tenant, publication) + "/pages/3")
    assert removed.status_code == 200, removed.text
    again = _converted(tenant, plain_pdf(2))
    assert tenant.api.get(_base(tenant, again)).json()["publication"][0]["page_count"] == 2


def test_removing_a_page_deletes_references_to_it_and_says_so_in_the_feed(
    converting_tenant: Tenant,
) -> None:
    publication = _converted(converting_tenant, catalogue_pdf())
    reference = next(
        h for h in _hotspots(converting_tenant, publication) if h["type"] == "page_reference"
    )
    before = converting_tenant.api.get("/v2/changes?since=0&limit=1000").json()["next_since"]
    response = converting_tenant.api.delete(_base(converting_tenant, publication) + "/pages/3")
    assert response.status_code == 200, response.text
    assert all(h["id"] != reference["id"] for h in _hotspots(converting_tenant, publication))
    changes = converting_tenant.api.get(f"/v2/changes?since={before}&limit=1000").json()["changes"]
    deleted = {c["id"] for c in changes if c["type"] == "hotspot" and c["op"] == "delete"}
    assert reference["id"] in deleted


def test_a_repeated_page_removal_replays_the_first_answer(converting_tenant: Tenant) -> None:
    publication = _converted(converting_tenant, plain_pdf(3))
    path = _base(converting_tenant, publication) + "/pages/2"
    headers = {"Idempotency-Key": "remove-page-2-once"}
    first = converting_tenant.api.delete(path, headers=headers)
    again = converting_tenant.api.delete(path, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    current = converting_tenant.api.get(_base(converting_tenant, publication)).json()
    assert current["publication"][0]["page_count"] == 2


def test_pages_routes_honour_if_match(converting_tenant: Tenant) -> None:
    publication = _converted(converting_tenant, plain_pdf(3))
    base = _base(converting_tenant, publication)
    etag = converting_tenant.api.get(base).headers["ETag"]
    converting_tenant.api.put(base, json={"publication": {"title": "Changed meanwhile"}})
    stale = {"If-Match": etag}
    assert converting_tenant.api.delete(base + "/pages/1", headers=stale).status_code == 412
    source_url = upload(converting_tenant.api, plain_pdf(1))
    assert (
        converting_tenant.api.post(
            base + "/pages", json={"source_url": source_url}, headers=stale
        ).status_code
        == 412
    )
    assert converting_tenant.api.get(base).json()["publication"][0]["page_count"] == 3


def test_duplicate_source_pages_are_refused(converting_tenant: Tenant) -> None:
    publication = _converted(converting_tenant, plain_pdf(1))
    response = converting_tenant.api.post(
        _base(converting_tenant, publication) + "/pages",
        json={"source_url": "http://example.com/a.pdf", "source_page_numbers": [1, 1]},
    )
    assert response.status_code == 422
    assert "source_page_numbers" in response.json()["errors"]


def test_selected_source_pages_arrive_in_the_order_asked(converting_tenant: Tenant) -> None:
    publication = _converted(converting_tenant, plain_pdf(1, width=500, height=500))
    sizes = [(300, 400), (310, 400), (320, 400), (330, 400)]
    source = build_pdf([PageSpec(width=w, height=h) for w, h in sizes])
    response = converting_tenant.api.post(
        _base(converting_tenant, publication) + "/pages",
        json={"source_url": upload(converting_tenant.api, source), "source_page_numbers": [4, 1]},
    )
    wait_for_conversion(
        converting_tenant.api,
        converting_tenant.group_id,
        publication["id"],
        response.json()["conversion"]["id"],
    )
    pages = [
        page for spread in _spreads(converting_tenant, publication) for page in spread["pages"]
    ]
    assert [page["width"] for page in pages] == [500, 330, 300]


def test_a_replacement_of_another_size_keeps_hotspots_at_the_same_relative_place(
    converting_tenant: Tenant,
) -> None:
    publication = _converted(converting_tenant, catalogue_pdf())
    link = next(
        h for h in _hotspots(converting_tenant, publication) if h["type"] == "external_link"
    )
    half_size = build_pdf([PageSpec(width=300, height=400)])
    response = converting_tenant.api.put(
        _base(converting_tenant, publication) + "/pages/1",
        json={"page": {"source_url": upload(converting_tenant.api, half_size)}},
    )
    wait_for_conversion(
        converting_tenant.api,
        converting_tenant.group_id,
        publication["id"],
        response.json()["conversion"]["id"],
    )
    moved = next(h for h in _hotspots(converting_tenant, publication) if h["id"] == link["id"])
    assert moved["page_rect"] == pytest.approx([50, 300, 150, 325])
    for name in ("x", "y", "width", "height"):
        assert moved[name] == pytest.approx(link[name], abs=TOLERANCE)


def test_a_hotspot_drawn_across_the_gutter_is_clipped_to_the_page_under_its_centre(
    converting_tenant: Tenant,
) -> None:
    publication = _converted(converting_tenant, plain_pdf(3, width=600, height=800))
    spread = _spreads(converting_tenant, publication)[1]
    response = converting_tenant.api.post(
        f"/v2/spreads/{spread['id']}/hotspots",
        json={
            "hotspot": {
                "type": "external_link",
                "x": 0.3,
                "y": 0.1,
                "width": 0.3,
                "height": 0.1,
                "url": "https://example.com",
            }
        },
    )
    assert response.status_code == 201, response.text
    hotspot = response.json()["hotspot"]
    assert hotspot["on_page"] == 2
    assert hotspot["x"] == pytest.approx(0.3)
    assert hotspot["x"] + hotspot["width"] == pytest.approx(0.5)
    assert hotspot["page_rect"] == pytest.approx([360, 640, 600, 720])


def test_hotspot_fractions_after_a_relayout_are_exact(converting_tenant: Tenant) -> None:
    publication = _converted(converting_tenant, catalogue_pdf())
    converting_tenant.api.put(
        _base(converting_tenant, publication), json={"publication": {"layout_type": "single"}}
    )
    reference = next(
        h for h in _hotspots(converting_tenant, publication) if h["type"] == "page_reference"
    )
    expected = SpreadLayout([PageBox(Rect(0, 0, 600, 800), 90)]).page_to_spread(
        0, user_to_page_fraction(Rect(50, 50, 150, 100), PageBox(Rect(0, 0, 600, 800), 90))
    )
    assert reference["x"] == pytest.approx(expected.x0, abs=TOLERANCE)
    assert reference["y"] == pytest.approx(expected.y0, abs=TOLERANCE)
    assert reference["width"] == pytest.approx(expected.width, abs=TOLERANCE)
    assert reference["height"] == pytest.approx(expected.height, abs=TOLERANCE)


def test_a_source_over_the_page_limit_fails(server_factory: Any) -> None:
    live: LiveServer = server_factory("--conversion-processes", "1", "--max-source-pages", "3")
    tenant = make_tenant(live)
    publication = tenant.create_publication("Long", source_url=upload(tenant.api, plain_pdf(5)))
    done = wait_for_conversion(tenant.api, tenant.group_id, publication["id"])
    assert done["state"] == "failed"
    assert "3" in done["state_details"]["error"]


@pytest.mark.parametrize("name", ["nothing.jpg", "../../etc/passwd", "a" * 64 + ".jpg", "%2e%2e"])
def test_unknown_or_malformed_file_names_are_404(converting_server: LiveServer, name: str) -> None:
    import requests

    assert requests.get(f"{converting_server.url}/files/{name}", timeout=10).status_code == 404


def test_archiving_cancels_a_waiting_conversion(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    base = _base(tenant, publication)
    conversion = tenant.api.get(base + "/conversions").json()["conversions"][0]
    assert tenant.api.delete(base).status_code == 204
    from app.server.models import Conversion

    with tenant.server.db.read() as session:
        assert session.get_one(Conversion, conversion["id"]).state == "canceled"
