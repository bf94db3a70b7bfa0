"""A PDF sent to the API becomes a finished publication: pages, images, spreads, hotspots.

Everything goes over real HTTP to a ``folio serve`` process with its rendering processes.
"""

from __future__ import annotations

import io
from typing import Any

import pymupdf
import pytest
from PIL import Image

from app.core.geometry import PageBox, Rect, SpreadLayout, user_to_page_fraction
from tests.conftest import Tenant, upload, wait_for_conversion
from tests.sample_pdfs import catalogue_pdf

TOLERANCE = 1e-6


def _convert(tenant: Tenant, data: bytes, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    source_url = upload(tenant.api, data)
    publication = tenant.create_publication("Spring catalogue", source_url=source_url, **fields)
    conversion = wait_for_conversion(tenant.api, tenant.group_id, publication["id"])
    current = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}"
    ).json()["publication"][0]
    return current, conversion


@pytest.fixture
def converted(converting_tenant: Tenant) -> tuple[Tenant, dict[str, Any], dict[str, Any]]:
    publication, conversion = _convert(converting_tenant, catalogue_pdf())
    return converting_tenant, publication, conversion


def test_an_uploaded_pdf_becomes_a_finished_publication(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    _, publication, conversion = converted
    assert conversion["state"] == "finished"
    assert conversion["state_details"] is None
    assert conversion["total_pages"] == 3
    assert conversion["converted_pages"] == 3
    assert publication["page_count"] == 3
    assert publication["cover_url"].startswith("http://")
    assert publication["pdf_download_url"].startswith("http://")
    assert publication["public_url"].endswith(f"/{publication['slug']}")


def test_cover_is_page_one_as_an_800_px_jpeg(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    tenant, publication, _ = converted
    response = tenant.api.get(publication["cover_url"].removeprefix(tenant.server.url))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == (800, round(800 * 800 / 600))


def test_pdf_download_is_the_publication_as_a_pdf(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    tenant, publication, _ = converted
    response = tenant.api.get(publication["pdf_download_url"].removeprefix(tenant.server.url))
    assert response.status_code == 200
    with pymupdf.open("pdf", response.content) as doc:
        assert doc.page_count == 3


def test_booklet_spreads_put_page_one_alone_then_pairs(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    tenant, publication, _ = converted
    spreads = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication['id']}/spreads"
    ).json()["spreads"]
    assert [s["page_numbers"] for s in spreads] == [[1], [2, 3]]
    # Page 2 is rotated: shown 800 x 600; page 3 is cropped to 560 x 750.
    assert spreads[1]["width"] == pytest.approx(800 + 560)
    assert spreads[1]["height"] == pytest.approx(750)
    for page in spreads[1]["pages"]:
        image = tenant.api.get(page["image_url"].removeprefix(tenant.server.url))
        assert Image.open(io.BytesIO(image.content)).size[0] == 800
        thumbnail = tenant.api.get(page["thumbnail_url"].removeprefix(tenant.server.url))
        assert Image.open(io.BytesIO(thumbnail.content)).size[0] == 200


def _spread_hotspots(tenant: Tenant, publication_id: int) -> list[list[dict[str, Any]]]:
    spreads = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication_id}/spreads"
    ).json()["spreads"]
    return [
        tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"]
        for spread in spreads
    ]


def test_hotspots_land_where_the_annotations_are(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    tenant, publication, _ = converted
    first, second = _spread_hotspots(tenant, publication["id"])
    by_type = {h["type"]: h for h in first}
    page_one = PageBox(Rect(0, 0, 600, 800))
    link = user_to_page_fraction(Rect(100, 600, 300, 650), page_one)
    assert by_type["external_link"]["url"] == "https://example.com/spring"
    assert by_type["external_link"]["x"] == pytest.approx(link.x0, abs=TOLERANCE)
    assert by_type["external_link"]["y"] == pytest.approx(link.y0, abs=TOLERANCE)
    assert by_type["external_link"]["width"] == pytest.approx(link.width, abs=TOLERANCE)
    assert by_type["external_link"]["height"] == pytest.approx(link.height, abs=TOLERANCE)
    product = by_type["product"]
    assert product["skus"] == ["WP06-29-Black"]
    assert product["icon"] is True and product["dynamic"] is True
    assert product["page_rect"] == pytest.approx([150, 450, 350, 500])

    [reference] = second
    assert reference["type"] == "page_reference"
    assert reference["page"] == 3
    assert reference["on_page"] == 2
    layout = SpreadLayout([PageBox(Rect(0, 0, 600, 800), 90), PageBox(Rect(20, 30, 580, 780))])
    expected = layout.page_to_spread(
        0, user_to_page_fraction(Rect(50, 50, 150, 100), layout.pages[0])
    )
    assert reference["x"] == pytest.approx(expected.x0, abs=TOLERANCE)
    assert reference["y"] == pytest.approx(expected.y0, abs=TOLERANCE)
    assert reference["width"] == pytest.approx(expected.width, abs=TOLERANCE)


def test_a_sticky_note_that_is_not_a_hotspot_is_a_warning(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    _, _, conversion = converted
    [warning] = conversion["warnings"]
    assert warning["page"] == 3
    assert "not JSON" in warning["reason"]


def test_extraction_options_find_links_in_page_text(converting_tenant: Tenant) -> None:
    publication, conversion = _convert(
        converting_tenant, catalogue_pdf(), extraction_options={"links": {"icons": False}}
    )
    assert conversion["extraction_options"] == {"links": {"icons": False}}
    hotspots = [
        h for spread in _spread_hotspots(converting_tenant, publication["id"]) for h in spread
    ]
    found = [h for h in hotspots if h["origin"] == "text"]
    assert [h["url"] for h in found] == ["http://www.folio-shop.test"]
    assert found[0]["on_page"] == 3
    assert found[0]["icon"] is False


def test_a_past_schedule_puts_the_publication_online_once_converted(
    converting_tenant: Tenant,
) -> None:
    publication, _ = _convert(
        converting_tenant, catalogue_pdf(), schedule_online_at="2020-01-01T00:00:00Z"
    )
    assert publication["state"] == "online"
    assert publication["schedule_online_at"] is None


def test_a_source_url_over_http_converts(converting_tenant: Tenant, pdf_site: Any) -> None:
    url = pdf_site.add("/catalogue.pdf", catalogue_pdf())
    publication = converting_tenant.create_publication("From the web", source_url=url)
    conversion = wait_for_conversion(
        converting_tenant.api, converting_tenant.group_id, publication["id"]
    )
    assert conversion["state"] == "finished", conversion
    assert conversion["total_pages"] == 3


def test_the_change_feed_carries_spreads_and_hotspots(
    converted: tuple[Tenant, dict[str, Any], dict[str, Any]],
) -> None:
    tenant, publication, _ = converted
    changes = tenant.api.get("/v2/changes?since=0&limit=1000").json()["changes"]
    types = {c["type"] for c in changes}
    assert {"publication", "conversion", "spread", "hotspot"} <= types
    conversion_states = [
        c["data"]["state"] for c in changes if c["type"] == "conversion" and c["data"]
    ]
    assert conversion_states[-1] == "finished"
    last_publication = [c for c in changes if c["type"] == "publication"][-1]
    assert last_publication["data"]["page_count"] == 3
    assert last_publication["id"] == publication["id"]
