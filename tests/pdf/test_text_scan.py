"""Links and SKUs found in page text, placed in user space on rotated and cropped pages."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.geometry import Rect, user_to_page_fraction
from app.core.hotspots import HotspotType
from app.pdf.document import PdfDocument
from app.pdf.render import ImageFormat, render_page
from app.pdf.text_scan import find_links, find_skus
from tests.pdf.conftest import OpenPdf, PageSpec, build_pdf, corpus_file, text_at, uri_link

BOXES = {"mediabox": (-20, -30, 580, 770), "cropbox": (10, 270, 400, 750)}


def page_with_text(
    open_pdf: OpenPdf, *lines: tuple[float, float, str], rotation: int = 0, **spec: object
) -> PdfDocument:
    content = "".join(text_at(x, y, text) for x, y, text in lines)
    options = {**BOXES, **spec}
    return open_pdf(build_pdf([PageSpec(rotation=rotation, content=content, **options)]))  # type: ignore[arg-type]


def assert_word_at(rect: Rect, x: float, baseline: float) -> None:
    """A 12 pt word that starts at user-space x with its baseline at ``baseline``."""
    assert rect.x0 == pytest.approx(x, abs=0.5)
    assert rect.y0 < baseline < rect.y0 + 6  # descender below the baseline
    assert baseline + 6 < rect.y1 < baseline + 16  # ascender above it


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_web_address_is_found_at_its_user_space_position(open_pdf: OpenPdf, rotation: int) -> None:
    doc = page_with_text(open_pdf, (100, 400, "www.example.com/shoes"), rotation=rotation)
    (hotspot,) = find_links(doc, 1)
    assert hotspot.type is HotspotType.EXTERNAL_LINK and hotspot.page == 1
    assert hotspot.properties == {
        "url": "http://www.example.com/shoes",
        "popup": False,
        "icon": True,
    }
    assert_word_at(hotspot.rect, 100, 400)


@pytest.mark.parametrize("rotation", [0, 90, 270])
def test_found_word_box_covers_the_drawn_text_in_the_page_image(
    open_pdf: OpenPdf, rotation: int
) -> None:
    doc = page_with_text(open_pdf, (150, 500, "https://example.com"), rotation=rotation)
    (hotspot,) = find_links(doc, 1)
    image = Image.open(io.BytesIO(render_page(doc, 1, image_format=ImageFormat.PNG).data))
    f = user_to_page_fraction(hotspot.rect, doc.page_box(1))
    box = (
        int(f.x0 * image.width),
        int(f.y0 * image.height),
        int(f.x1 * image.width) + 1,
        int(f.y1 * image.height) + 1,
    )
    inside = image.crop(box).convert("L")
    darkest_inside = inside.getextrema()[0]
    assert isinstance(darkest_inside, int) and darkest_inside < 100, "no text inside the box"
    outside = image.convert("L")
    outside.paste(255, box)
    darkest_outside = outside.getextrema()[0]
    assert isinstance(darkest_outside, int) and darkest_outside > 200, "text outside the box"


def test_email_addresses_become_mailto_links(open_pdf: OpenPdf) -> None:
    doc = page_with_text(open_pdf, (20, 700, "Write to sales@example.com."))
    (hotspot,) = find_links(doc, 1, icons=False)
    assert hotspot.properties == {"url": "mailto:sales@example.com", "popup": False, "icon": False}


def test_punctuation_around_an_address_is_not_part_of_it(open_pdf: OpenPdf) -> None:
    doc = page_with_text(
        open_pdf,
        (20, 700, "(see https://example.com/a.pdf),"),
        (20, 650, "https://en.wikipedia.org/wiki/Foo_(bar)."),
    )
    assert [h.properties["url"] for h in find_links(doc, 1)] == [
        "https://example.com/a.pdf",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
    ]


def test_plain_words_and_unsafe_schemes_are_not_links(open_pdf: OpenPdf) -> None:
    doc = page_with_text(open_pdf, (20, 700, "Price 12.50 e.g. file.pdf javascript:alert(1) www."))
    assert find_links(doc, 1) == []


def test_address_already_under_a_link_annotation_is_skipped(open_pdf: OpenPdf) -> None:
    content = text_at(100, 400, "www.linked.example") + text_at(100, 300, "www.free.example")
    link = uri_link((95, 395, 250, 415), "http://www.linked.example")
    doc = open_pdf(build_pdf([PageSpec(**BOXES, content=content, annots=[link])]))  # type: ignore[arg-type]
    assert [h.properties["url"] for h in find_links(doc, 1)] == ["http://www.free.example"]


def test_addresses_that_real_documents_already_link_are_not_found_again(
    open_pdf: OpenPdf,
) -> None:
    # The WHO guideline prints 67 addresses, each under a /Link annotation (one of them
    # only partly, across three lines).
    doc = open_pdf(corpus_file("test-3820.pdf"))
    assert [h for page in range(1, doc.page_count + 1) for h in find_links(doc, page)] == []


def test_address_broken_after_a_hyphen_or_slash_is_joined_across_lines(
    open_pdf: OpenPdf,
) -> None:
    doc = page_with_text(
        open_pdf,
        (20, 700, "Details: https://cdn.example.com/media/"),
        (20, 686, "docs/price-list-2024-"),
        (20, 672, "final.pdf, accessed today."),
        (20, 600, "Mail info@example.com"),
        (20, 586, "or call."),
    )
    found = find_links(doc, 1)
    url = "https://cdn.example.com/media/docs/price-list-2024-final.pdf"
    assert [h.properties["url"] for h in found] == [url, url, url, "mailto:info@example.com"]
    for hotspot, baseline in zip(found, (700, 686, 672), strict=False):
        assert hotspot.rect.y0 < baseline < hotspot.rect.y0 + 6


def test_address_broken_after_a_full_stop_is_cut_there(open_pdf: OpenPdf) -> None:
    doc = page_with_text(open_pdf, (20, 700, "Visit www.example.com."), (20, 686, "Then go."))
    assert [h.properties["url"] for h in find_links(doc, 1)] == ["http://www.example.com"]


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_catalogue_skus_are_found_with_surrounding_punctuation_stripped(
    open_pdf: OpenPdf, rotation: int
) -> None:
    doc = page_with_text(
        open_pdf,
        (30, 700, "Shoes (SKU-100), socks SKU-200; hats: SKU-300."),
        (30, 600, "SKU-1000 is not SKU-10"),
        rotation=rotation,
    )
    found = find_skus(doc, 1, {"SKU-100", "SKU-200", "SKU-300", "SKU-10"})
    assert [h.properties for h in found] == [
        {"skus": [sku], "icon": True, "dynamic": True}
        for sku in ("SKU-100", "SKU-200", "SKU-300", "SKU-10")
    ]
    assert all(h.type is HotspotType.PRODUCT for h in found)
    assert found[0].rect.y0 < 700 < found[0].rect.y1
    assert found[3].rect.y0 < 600 < found[3].rect.y1


def test_sku_search_is_exact_and_icons_can_be_turned_off(open_pdf: OpenPdf) -> None:
    doc = page_with_text(open_pdf, (30, 700, "sku-100 SKU-100X SKU-100"))
    found = find_skus(doc, 1, ["SKU-100"], icons=False)
    assert len(found) == 1 and found[0].properties["icon"] is False


def test_empty_catalogue_finds_nothing(open_pdf: OpenPdf) -> None:
    assert find_skus(page_with_text(open_pdf, (30, 700, "SKU-1")), 1, []) == []


def test_scanning_a_missing_page_raises_value_error(open_pdf: OpenPdf) -> None:
    doc = page_with_text(open_pdf, (30, 700, "x"))
    with pytest.raises(ValueError):
        find_links(doc, 2)
    with pytest.raises(ValueError):
        find_skus(doc, 0, ["x"])
