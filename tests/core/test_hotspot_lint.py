"""What ``lint_hotspots`` reports to a designer, one behaviour a test."""

from __future__ import annotations

import pytest

from app.core.geometry import PageBox, Rect
from app.core.hotspot_lint import LintFinding, blocks_saving, lint_hotspots
from app.core.hotspots import Hotspot, HotspotType, external_link, page_reference

PAGE = PageBox(Rect(0, 0, 600, 800))
BOXES = {1: PAGE, 2: PAGE, 3: PAGE}


def product(page: int, rect: Rect, *skus: str) -> Hotspot:
    return Hotspot(
        HotspotType.PRODUCT,
        page,
        rect,
        {"skus": list(skus or ["A"]), "icon": True, "dynamic": True},
    )


def media(kind: HotspotType, source: str) -> Hotspot:
    return Hotspot(kind, 1, Rect(10, 10, 100, 100), {"source": source})


def lint(*hotspots: Hotspot, known_skus: set[str] | None = None) -> list[LintFinding]:
    return lint_hotspots(list(hotspots), BOXES, page_count=3, known_skus=known_skus)


def codes(findings: list[LintFinding]) -> list[str]:
    return [finding.code for finding in findings]


def test_well_placed_hotspots_have_no_findings() -> None:
    assert (
        lint(
            product(1, Rect(10, 10, 100, 100)),
            external_link(1, Rect(200, 10, 300, 100), "https://example.com/spring"),
            page_reference(2, Rect(10, 10, 100, 100), 3),
        )
        == []
    )


def test_hotspot_outside_the_visible_page_is_reported() -> None:
    findings = lint(product(1, Rect(650, 10, 700, 60)))
    assert codes(findings) == ["outside_page"]
    assert "outside the visible page" in findings[0].message


def test_visible_page_is_the_cropbox_not_the_mediabox() -> None:
    cropped = {1: PageBox(Rect(20, 30, 580, 780))}
    findings = lint_hotspots([product(1, Rect(0, 0, 15, 25))], cropped, page_count=1)
    assert codes(findings) == ["outside_page"]


def test_hotspot_crossing_the_page_edge_is_partly_outside() -> None:
    findings = lint(product(1, Rect(550, 10, 650, 60)))
    assert codes(findings) == ["partly_outside"]
    assert "50 pt past the edge" in findings[0].message


def test_hotspot_drawn_to_the_edge_with_rounding_is_not_partly_outside() -> None:
    assert lint(product(1, Rect(500, 700, 600.3, 800.2))) == []


def test_rotated_page_is_checked_in_user_space() -> None:
    rotated = {1: PageBox(Rect(0, 0, 600, 800), rotation=90)}
    assert lint_hotspots([product(1, Rect(10, 700, 100, 790))], rotated, page_count=1) == []


def test_hotspot_thinner_than_a_point_is_zero_size() -> None:
    findings = lint(product(1, Rect(10, 10, 10.5, 100)))
    assert codes(findings) == ["zero_size"]
    assert "0.5 x 90 pt" in findings[0].message


def test_hotspots_overlapping_by_more_than_half_are_reported_once_on_the_later() -> None:
    findings = lint(product(1, Rect(0, 0, 100, 100), "A"), product(1, Rect(20, 0, 120, 100), "B"))
    assert [(f.code, f.index) for f in findings] == [("overlap", 1)]
    assert "80%" in findings[0].message and "A" in findings[0].message


def test_small_hotspot_inside_a_large_one_overlaps() -> None:
    findings = lint(
        external_link(1, Rect(0, 0, 600, 800), "https://example.com"),
        product(1, Rect(10, 10, 20, 20)),
    )
    assert codes(findings) == ["overlap"]


def test_hotspots_sharing_less_than_half_do_not_overlap() -> None:
    assert lint(product(1, Rect(0, 0, 100, 100)), product(1, Rect(60, 0, 160, 100))) == []


def test_hotspots_on_different_pages_never_overlap() -> None:
    assert lint(product(1, Rect(0, 0, 100, 100)), product(2, Rect(0, 0, 100, 100))) == []


@pytest.mark.parametrize(
    "url",
    ["", "   ", "ftp://files.example.com/a", "javascript:alert(1)", "https://", "www.example.com",
     "mailto:", "tel:call-us"],
)  # fmt: skip
def test_link_that_leads_nowhere_is_invalid_url(url: str) -> None:
    findings = lint(external_link(1, Rect(10, 10, 100, 100), url))
    assert codes(findings) == ["invalid_url"]
    assert "leads nowhere" in findings[0].message


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a",
        "http://shop.example.org",
        "mailto:a@example.com",
        "tel:+44 20 7946 0000",
    ],
)
def test_web_mail_and_phone_links_are_valid(url: str) -> None:
    assert lint(external_link(1, Rect(10, 10, 100, 100), url)) == []


@pytest.mark.parametrize("kind", [HotspotType.IMAGE, HotspotType.VIDEO])
def test_image_and_video_sources_must_be_web_addresses(kind: HotspotType) -> None:
    assert codes(lint(media(kind, "mailto:a@example.com"))) == ["invalid_url"]
    assert lint(media(kind, "https://cdn.example.com/a")) == []


@pytest.mark.parametrize("target", [0, 4])
def test_page_reference_outside_the_document_is_page_out_of_range(target: int) -> None:
    findings = lint(page_reference(1, Rect(10, 10, 100, 100), target))
    assert codes(findings) == ["page_out_of_range"]
    assert f"page {target}" in findings[0].message and "1 to 3" in findings[0].message


def test_hotspot_on_a_page_the_document_lacks_is_page_out_of_range() -> None:
    assert codes(lint(product(5, Rect(10, 10, 100, 100)))) == ["page_out_of_range"]


def test_skus_missing_from_the_catalogue_are_named() -> None:
    findings = lint(
        product(1, Rect(10, 10, 100, 100), "KNOWN", "GONE-1", "GONE-2"), known_skus={"KNOWN"}
    )
    assert codes(findings) == ["unknown_sku"]
    assert findings[0].message.endswith("SKUs the catalogue doesn't have: GONE-1, GONE-2.")


def test_skus_are_not_checked_without_a_catalogue() -> None:
    assert lint(product(1, Rect(10, 10, 100, 100), "ANYTHING")) == []


def test_findings_come_in_page_order_with_the_hotspots_index() -> None:
    findings = lint(
        product(2, Rect(10, 10, 10.2, 100)),
        external_link(1, Rect(10, 10, 100, 100), "ftp://x"),
    )
    assert [(f.page, f.index, f.code) for f in findings] == [
        (1, 1, "invalid_url"),
        (2, 0, "zero_size"),
    ]


def test_product_without_a_sku_is_missing_value() -> None:
    findings = lint(Hotspot(HotspotType.PRODUCT, 1, Rect(10, 10, 100, 100), {"skus": []}))
    assert codes(findings) == ["missing_value"]
    assert findings[0].message == "The product hotspot at (10, 10) to (100, 100) pt has no SKU yet."


def test_product_without_a_sku_is_missing_value_with_a_catalogue_too() -> None:
    hotspot = Hotspot(HotspotType.PRODUCT, 1, Rect(10, 10, 100, 100), {"skus": []})
    assert codes(lint(hotspot, known_skus={"A"})) == ["missing_value"]


def test_page_reference_without_a_page_is_missing_value() -> None:
    findings = lint(Hotspot(HotspotType.PAGE_REFERENCE, 1, Rect(10, 10, 100, 100), {"page": None}))
    assert codes(findings) == ["missing_value"]
    assert "page reference" in findings[0].message and "no target page" in findings[0].message


@pytest.mark.parametrize(
    ("hotspot", "blocking"),
    [
        (Hotspot(HotspotType.PRODUCT, 1, Rect(10, 10, 100, 100), {"skus": []}), True),
        (product(1, Rect(10, 10, 10.5, 100)), True),
        (page_reference(1, Rect(10, 10, 100, 100), 4), True),
        (external_link(1, Rect(10, 10, 100, 100), "  "), True),
        (media(HotspotType.VIDEO, ""), True),
        (external_link(1, Rect(10, 10, 100, 100), "ftp://files.example.com"), False),
        (product(1, Rect(550, 10, 650, 60)), False),
        (product(1, Rect(10, 10, 100, 100), "GONE"), False),
    ],
)
def test_only_findings_that_make_a_hotspot_unsavable_block_saving(
    hotspot: Hotspot, blocking: bool
) -> None:
    [finding] = lint(hotspot, known_skus={"A"})
    assert blocks_saving(finding, hotspot) is blocking
