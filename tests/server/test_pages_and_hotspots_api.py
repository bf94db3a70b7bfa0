"""Pages (add, replace, remove), layout changes and the hotspots API keep every hotspot on
its page, over real HTTP."""

from __future__ import annotations

from typing import Any

import pymupdf
import pytest

from tests.conftest import Tenant, make_tenant, upload, wait_for_conversion
from tests.sample_pdfs import PageSpec, build_pdf, catalogue_pdf, plain_pdf, product_note

TOLERANCE = 1e-6


def _publication(tenant: Tenant, data: bytes, **fields: Any) -> dict[str, Any]:
    source_url = upload(tenant.api, data)
    publication = tenant.create_publication("Pages", source_url=source_url, **fields)
    assert (
        wait_for_conversion(tenant.api, tenant.group_id, publication["id"])["state"] == "finished"
    )
    return publication


def _path(tenant: Tenant, publication: dict[str, Any], suffix: str = "") -> str:
    return f"/v2/groups/{tenant.group_id}/publications/{publication['id']}{suffix}"


def _state(tenant: Tenant, publication: dict[str, Any]) -> dict[str, Any]:
    return tenant.api.get(_path(tenant, publication)).json()["publication"][0]  # type: ignore[no-any-return]


def _all_hotspots(tenant: Tenant, publication: dict[str, Any]) -> list[dict[str, Any]]:
    spreads = tenant.api.get(_path(tenant, publication, "/spreads")).json()["spreads"]
    found = []
    for spread in spreads:
        found += tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"]
    return found


def _spreads(tenant: Tenant, publication: dict[str, Any]) -> list[dict[str, Any]]:
    return tenant.api.get(_path(tenant, publication, "/spreads")).json()["spreads"]  # type: ignore[no-any-return]


@pytest.fixture
def catalogue(converting_tenant: Tenant) -> tuple[Tenant, dict[str, Any]]:
    return converting_tenant, _publication(converting_tenant, catalogue_pdf())


def test_adding_pages_in_the_middle_keeps_hotspots_on_their_pages(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    before = {h["id"]: h for h in _all_hotspots(tenant, publication)}
    source_url = upload(tenant.api, plain_pdf(2))
    response = tenant.api.post(
        _path(tenant, publication, "/pages"), json={"source_url": source_url, "position": 2}
    )
    assert response.status_code == 200, response.text
    conversion = response.json()["conversion"]
    assert conversion["source_type"] == "api_add_pages"
    done = wait_for_conversion(tenant.api, tenant.group_id, publication["id"], conversion["id"])
    assert done["state"] == "finished", done
    assert done["total_pages"] == 2
    assert _state(tenant, publication)["page_count"] == 5
    after = {h["id"]: h for h in _all_hotspots(tenant, publication)}
    assert after.keys() == before.keys()
    for hotspot_id, old in before.items():
        new = after[hotspot_id]
        assert new["page_rect"] == pytest.approx(old["page_rect"])
        expected_page = old["on_page"] + (2 if old["on_page"] >= 2 else 0)
        assert new["on_page"] == expected_page
    reference = next(h for h in after.values() if h["type"] == "page_reference")
    assert reference["page"] == 5  # it pointed at page 3, which moved to 5
    with pymupdf.open(
        "pdf",
        tenant.api.get(
            _state(tenant, publication)["pdf_download_url"].removeprefix(tenant.server.url)
        ).content,
    ) as doc:
        assert doc.page_count == 5


def test_adding_selected_source_pages_at_the_end(catalogue: tuple[Tenant, dict[str, Any]]) -> None:
    tenant, publication = catalogue
    source_url = upload(tenant.api, plain_pdf(4))
    response = tenant.api.post(
        _path(tenant, publication, "/pages"),
        json={"source_url": source_url, "source_page_numbers": [4, 1]},
    )
    assert response.status_code == 200, response.text
    done = wait_for_conversion(
        tenant.api, tenant.group_id, publication["id"], response.json()["conversion"]["id"]
    )
    assert done["state"] == "finished", done
    assert [s["page_numbers"] for s in _spreads(tenant, publication)] == [[1], [2, 3], [4, 5]]


def test_adding_pages_the_source_lacks_fails_and_changes_nothing(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    source_url = upload(tenant.api, plain_pdf(2))
    response = tenant.api.post(
        _path(tenant, publication, "/pages"),
        json={"source_url": source_url, "source_page_numbers": [7]},
    )
    done = wait_for_conversion(
        tenant.api, tenant.group_id, publication["id"], response.json()["conversion"]["id"]
    )
    assert done["state"] == "failed"
    assert "no page 7" in done["state_details"]["error"]
    assert _state(tenant, publication)["page_count"] == 3


def test_replacing_a_page_keeps_its_hotspots_unless_asked(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    source_url = upload(tenant.api, build_pdf([PageSpec(width=600, height=800)]))
    before = [h for h in _all_hotspots(tenant, publication) if h["on_page"] == 1]
    response = tenant.api.put(
        _path(tenant, publication, "/pages/1"), json={"page": {"source_url": source_url}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["conversion"]["source_type"] == "api_replace_page"
    done = wait_for_conversion(
        tenant.api, tenant.group_id, publication["id"], response.json()["conversion"]["id"]
    )
    assert done["state"] == "finished", done
    kept = [h for h in _all_hotspots(tenant, publication) if h["on_page"] == 1]
    assert sorted(h["id"] for h in kept) == sorted(h["id"] for h in before)
    for old, new in zip(
        sorted(before, key=lambda h: h["id"]), sorted(kept, key=lambda h: h["id"]), strict=True
    ):
        assert new["page_rect"] == pytest.approx(old["page_rect"])

    response = tenant.api.put(
        _path(tenant, publication, "/pages/1"),
        json={"page": {"source_url": source_url, "remove_hotspots": True}},
    )
    wait_for_conversion(
        tenant.api, tenant.group_id, publication["id"], response.json()["conversion"]["id"]
    )
    assert [h for h in _all_hotspots(tenant, publication) if h["on_page"] == 1] == []


def test_replacing_a_page_brings_the_new_pages_annotations(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    source = build_pdf(
        [PageSpec(), PageSpec(notes=[((10, 10, 60, 60), product_note(["A-1", "B-2"]))])]
    )
    response = tenant.api.put(
        _path(tenant, publication, "/pages/3"),
        json={"page": {"source_url": upload(tenant.api, source), "source_page_number": 2}},
    )
    wait_for_conversion(
        tenant.api, tenant.group_id, publication["id"], response.json()["conversion"]["id"]
    )
    on_three = [h for h in _all_hotspots(tenant, publication) if h["on_page"] == 3]
    assert [h["skus"] for h in on_three] == [["A-1", "B-2"]]
    reference = next(h for h in _all_hotspots(tenant, publication) if h["type"] == "page_reference")
    assert reference["page"] == 3  # follows the replacement of its target


def test_removing_a_page_moves_later_pages_up(catalogue: tuple[Tenant, dict[str, Any]]) -> None:
    tenant, publication = catalogue
    response = tenant.api.delete(_path(tenant, publication, "/pages/1"))
    assert response.status_code == 200, response.text
    assert response.json()["publication"][0]["page_count"] == 2
    hotspots = _all_hotspots(tenant, publication)
    assert [h["type"] for h in hotspots] == ["page_reference"]
    assert hotspots[0]["on_page"] == 1
    assert hotspots[0]["page"] == 2
    assert [s["page_numbers"] for s in _spreads(tenant, publication)] == [[1], [2]]
    pdf = tenant.api.get(
        _state(tenant, publication)["pdf_download_url"].removeprefix(tenant.server.url)
    )
    with pymupdf.open("pdf", pdf.content) as doc:
        assert doc.page_count == 2


def test_removing_a_missing_or_the_last_page_is_refused(converting_tenant: Tenant) -> None:
    publication = _publication(converting_tenant, plain_pdf(1))
    missing = converting_tenant.api.delete(_path(converting_tenant, publication, "/pages/2"))
    assert missing.status_code == 404
    last = converting_tenant.api.delete(_path(converting_tenant, publication, "/pages/1"))
    assert last.status_code == 422
    assert "page" in last.json()["errors"]


def test_changing_the_layout_relays_spreads_and_keeps_hotspots_on_their_pages(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    before = {h["id"]: h for h in _all_hotspots(tenant, publication)}
    response = tenant.api.put(
        _path(tenant, publication), json={"publication": {"layout_type": "single"}}
    )
    assert response.status_code == 200, response.text
    spreads = _spreads(tenant, publication)
    assert [s["page_numbers"] for s in spreads] == [[1], [2], [3]]
    after = {h["id"]: h for h in _all_hotspots(tenant, publication)}
    assert after.keys() == before.keys()
    reference = next(h for h in after.values() if h["type"] == "page_reference")
    assert reference["spread_id"] == spreads[1]["id"]
    assert reference["page_rect"] == pytest.approx(before[reference["id"]]["page_rect"])
    assert reference["width"] > before[reference["id"]]["width"]  # a narrower spread now


def test_pages_of_an_unconverted_publication_are_a_conflict(tenant: Tenant) -> None:
    publication = tenant.create_publication()
    response = tenant.api.post(
        _path(tenant, publication, "/pages"), json={"source_url": "http://example.com/a.pdf"}
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "source_url"),
        ({"source_url": "ftp://example.com/a.pdf"}, "source_url"),
        ({"source_url": "http://example.com/a.pdf", "position": 0}, "position"),
        ({"source_url": "http://example.com/a.pdf", "position": "two"}, "position"),
        (
            {"source_url": "http://example.com/a.pdf", "source_page_numbers": [0]},
            "source_page_numbers",
        ),
        (
            {"source_url": "http://example.com/a.pdf", "source_page_numbers": "1"},
            "source_page_numbers",
        ),
    ],
)
def test_bad_add_pages_bodies_are_422(
    catalogue: tuple[Tenant, dict[str, Any]], body: dict[str, Any], field: str
) -> None:
    tenant, publication = catalogue
    response = tenant.api.post(_path(tenant, publication, "/pages"), json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


def test_hotspot_created_on_a_spread_reads_back_at_the_same_place(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    spread = _spreads(tenant, publication)[1]
    body = {
        "hotspot": {
            "type": "product",
            "x": 0.6,
            "y": 0.25,
            "width": 0.1,
            "height": 0.2,
            "skus": ["SKU-1"],
        }
    }
    created = tenant.api.post(f"/v2/spreads/{spread['id']}/hotspots", json=body)
    assert created.status_code == 201, created.text
    hotspot = created.json()["hotspot"]
    assert hotspot["on_page"] == 3  # its centre lies on the right-hand page
    fetched = tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots/{hotspot['id']}").json()
    for name in ("x", "y", "width", "height"):
        assert fetched["hotspot"][name] == pytest.approx(body["hotspot"][name], abs=TOLERANCE)
    assert fetched["hotspot"]["skus"] == ["SKU-1"]
    assert fetched["hotspot"]["products"] == []


def test_hotspot_patch_changes_only_what_is_sent_and_not_the_type(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    spread = _spreads(tenant, publication)[0]
    link = next(h for h in _all_hotspots(tenant, publication) if h["type"] == "external_link")
    path = f"/v2/spreads/{spread['id']}/hotspots/{link['id']}"
    response = tenant.api.patch(
        path, json={"hotspot": {"url": "https://example.org/new", "x": 0.5}}
    )
    assert response.status_code == 200, response.text
    patched = response.json()["hotspot"]
    assert patched["url"] == "https://example.org/new"
    assert patched["x"] == pytest.approx(0.5)
    assert patched["y"] == pytest.approx(link["y"])
    assert patched["width"] == pytest.approx(link["width"])
    refused = tenant.api.patch(path, json={"hotspot": {"type": "product"}})
    assert refused.status_code == 422
    assert "type" in refused.json()["errors"]


def test_hotspot_delete_and_stale_if_match(catalogue: tuple[Tenant, dict[str, Any]]) -> None:
    tenant, publication = catalogue
    spread = _spreads(tenant, publication)[0]
    link = next(h for h in _all_hotspots(tenant, publication) if h["type"] == "external_link")
    path = f"/v2/spreads/{spread['id']}/hotspots/{link['id']}"
    etag = tenant.api.get(path).headers["ETag"]
    tenant.api.patch(path, json={"hotspot": {"url": "https://example.org/changed"}})
    stale = tenant.api.delete(path, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404


def test_a_hotspot_of_another_spread_or_account_is_not_found(
    catalogue: tuple[Tenant, dict[str, Any]],
) -> None:
    tenant, publication = catalogue
    first, second = _spreads(tenant, publication)
    link = next(h for h in _all_hotspots(tenant, publication) if h["type"] == "external_link")
    assert tenant.api.get(f"/v2/spreads/{second['id']}/hotspots/{link['id']}").status_code == 404
    stranger = make_tenant(tenant.server)
    assert stranger.api.get(f"/v2/spreads/{first['id']}/hotspots").status_code == 404
    assert stranger.api.get(f"/v2/spreads/{first['id']}/hotspots/{link['id']}").status_code == 404
    assert (
        stranger.api.post(
            f"/v2/spreads/{first['id']}/hotspots",
            json={
                "hotspot": {
                    "type": "external_link",
                    "x": 0,
                    "y": 0,
                    "width": 0.1,
                    "height": 0.1,
                    "url": "https://x.test",
                }
            },
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("hotspot", "field"),
    [
        ({"type": "banner", "x": 0, "y": 0, "width": 0.1, "height": 0.1}, "type"),
        ({"type": "external_link", "x": 0, "y": 0, "width": 0.1, "height": 0.1}, "url"),
        (
            {
                "type": "external_link",
                "x": 0,
                "y": 0,
                "width": 0.1,
                "height": 0.1,
                "url": "javascript:alert(1)",
            },
            "url",
        ),
        ({"type": "product", "x": 0.95, "y": 0, "width": 0.1, "height": 0.1, "skus": ["A"]}, "x"),
        ({"type": "product", "x": 0, "y": 0, "width": 0, "height": 0.1, "skus": ["A"]}, "width"),
        ({"type": "product", "x": "left", "y": 0, "width": 0.1, "height": 0.1, "skus": ["A"]}, "x"),
        ({"type": "product", "x": 0, "y": 0, "width": 0.1, "height": 0.1, "skus": []}, "skus"),
        (
            {"type": "page_reference", "x": 0, "y": 0, "width": 0.1, "height": 0.1, "page": 9},
            "page",
        ),
        ({"type": "video", "x": 0, "y": 0, "width": 0.1, "height": 0.1}, "source"),
    ],
)
def test_bad_hotspots_are_422_and_create_nothing(
    catalogue: tuple[Tenant, dict[str, Any]], hotspot: dict[str, Any], field: str
) -> None:
    tenant, publication = catalogue
    spread = _spreads(tenant, publication)[0]
    before = tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"]
    response = tenant.api.post(f"/v2/spreads/{spread['id']}/hotspots", json={"hotspot": hotspot})
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"] == before


def test_video_hotspots_detect_youtube(catalogue: tuple[Tenant, dict[str, Any]]) -> None:
    tenant, publication = catalogue
    spread = _spreads(tenant, publication)[0]
    response = tenant.api.post(
        f"/v2/spreads/{spread['id']}/hotspots",
        json={
            "hotspot": {
                "type": "video",
                "x": 0.1,
                "y": 0.1,
                "width": 0.3,
                "height": 0.2,
                "source": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            }
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["hotspot"]["provider"] == "youtube"
    assert response.json()["hotspot"]["video_id"] == "dQw4w9WgXcQ"
