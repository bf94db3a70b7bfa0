"""Writing hotspots as annotations: what is written reads back as the same hotspots."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.geometry import Rect
from app.core.hotspots import (
    Hotspot,
    HotspotType,
    external_link,
    page_reference,
    read_annotation_contents,
)
from app.pdf.annotation_reader import read_hotspots
from app.pdf.annotation_writer import remove_hotspot_annotations, write_hotspots
from app.pdf.document import PdfDocument
from tests.pdf.conftest import (
    OpenPdf,
    PageSpec,
    build_pdf,
    goto_link,
    json_note,
    text_annotation,
    uri_link,
)

TOLERANCE = 1e-3


def from_json(page: int, rect: Rect, data: dict[str, Any]) -> Hotspot:
    """A hotspot as the domain normalises it (defaults filled in)."""
    kind, properties = read_annotation_contents(json.dumps(data))
    return Hotspot(kind, page, rect, properties)


def assert_same_hotspots(actual: list[Hotspot], expected: list[Hotspot]) -> None:
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert (got.type, got.page, got.properties) == (want.type, want.page, want.properties)
        assert got.rect.is_close(want.rect, TOLERANCE), (got.rect, want.rect)


def written_and_read_back(
    open_pdf: OpenPdf, doc: PdfDocument, hotspots: list[Hotspot]
) -> list[Hotspot]:
    write_hotspots(doc, hotspots)
    extraction = read_hotspots(open_pdf(doc.to_bytes()))
    assert extraction.warnings == []
    return extraction.hotspots


EVERY_KIND = [
    external_link(1, Rect(10.5, 20.25, 110.125, 60.0625), "https://example.com/a?b=c&d=(e)"),
    page_reference(1, Rect(-15, -25, 30, 40), 3),
    from_json(2, Rect(100, 200, 300, 400), {"type": "product", "sku": "AB-1", "icon": False}),
    from_json(2, Rect(1, 2, 3, 4), {"type": "product", "sku": ["A", "B"], "dynamic": False}),
    from_json(
        3,
        Rect(0.0001, 0.0002, 599.9999, 799.9998),
        {"type": "image", "source": "https://cdn.example.com/x.jpg", "fillMode": "cover"},
    ),
    from_json(
        3,
        Rect(50, 50, 250, 190),
        {"type": "video", "source": "https://vimeo.com/123456", "autoplay": True},
    ),
    from_json(
        1,
        Rect(5, 5, 6, 6),
        {"type": "externalContent", "source": "https://example.com/embed", "maxHeight": 300},
    ),
]


def three_pages(open_pdf: OpenPdf, **spec: Any) -> PdfDocument:
    return open_pdf(build_pdf([PageSpec(**spec) for _ in range(3)]))


def test_every_kind_of_hotspot_reads_back_the_same(open_pdf: OpenPdf) -> None:
    doc = three_pages(open_pdf, mediabox=(-20, -30, 580, 770), cropbox=(10, 270, 400, 750))
    expected = sorted(EVERY_KIND, key=lambda h: h.page)  # read back in page order
    assert_same_hotspots(written_and_read_back(open_pdf, doc, EVERY_KIND), expected)


def test_plain_links_become_link_annotations_and_the_rest_sticky_notes(open_pdf: OpenPdf) -> None:
    doc = three_pages(open_pdf)
    write_hotspots(doc, EVERY_KIND)
    subtypes = []
    for page in (1, 2, 3):
        annots = doc.raw.xref_get_key(doc.raw.page_xref(page - 1), "Annots")[1]
        for reference in annots.strip("[]").split(" R"):
            if reference.strip():
                xref = int(reference.split()[0])
                subtypes.append(doc.raw.xref_get_key(xref, "Subtype")[1])
    assert subtypes.count("/Link") == 2 and subtypes.count("/Text") == 5


def test_sticky_notes_are_not_printed(open_pdf: OpenPdf) -> None:
    doc = three_pages(open_pdf)
    write_hotspots(doc, [EVERY_KIND[2]])
    page = doc.raw[1]  # an Annot must not outlive its Page
    (note,) = list(page.annots())
    assert note.flags & 4 == 0  # the Print flag
    assert doc.raw.xref_get_key(note.xref, "Name") == ("name", "/Comment")


def test_existing_annotations_stay_when_hotspots_are_added(open_pdf: OpenPdf) -> None:
    rect = (10, 20, 110, 60)
    spec = PageSpec(
        annots=[
            "<</Type/Annot/Subtype/Square/Rect[0 0 9 9]>>",
            uri_link(rect, "https://old.example"),
        ],
        direct_annots=[json_note(rect, {"type": "product", "sku": "OLD"})],
    )
    doc = open_pdf(build_pdf([spec, PageSpec()]))
    new = external_link(1, Rect(200, 200, 300, 300), "https://new.example")
    hotspots = written_and_read_back(open_pdf, doc, [new])
    assert [h.properties.get("url") or h.properties["skus"] for h in hotspots] == [
        "https://old.example",
        ["OLD"],
        "https://new.example",
    ]
    assert doc.raw.xref_get_key(doc.raw.page_xref(0), "Annots")[1].count(" R") == 4


def test_hotspots_are_appended_to_an_indirect_annots_array(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    array = doc.raw.get_new_xref()
    doc.raw.update_object(array, "[" + uri_link((1, 1, 9, 9), "https://old.example") + "]")
    doc.raw.xref_set_key(doc.raw.page_xref(0), "Annots", f"{array} 0 R")
    hotspots = written_and_read_back(
        open_pdf, doc, [external_link(1, Rect(20, 20, 30, 30), "https://new.example")]
    )
    assert [h.properties["url"] for h in hotspots] == ["https://old.example", "https://new.example"]


def test_non_ascii_url_and_sku_survive(open_pdf: OpenPdf) -> None:
    doc = three_pages(open_pdf)
    hotspots = [
        external_link(1, Rect(1, 1, 9, 9), "https://exämple.com/ü?q=漢字"),
        from_json(1, Rect(1, 1, 9, 9), {"type": "product", "sku": "Tröja (röd) \\ 😀"}),
    ]
    assert_same_hotspots(written_and_read_back(open_pdf, doc, hotspots), hotspots)


@pytest.mark.parametrize(
    ("hotspot", "message"),
    [
        (external_link(4, Rect(0, 0, 1, 1), "https://x.example"), "page 4 does not exist"),
        (page_reference(1, Rect(0, 0, 1, 1), 9), "page 9 does not exist"),
        (external_link(1, Rect(0, 0, 0, 1), "https://x.example"), "without an area"),
        (external_link(1, Rect(0, 0, float("nan"), 1), "https://x.example"), "not finite"),
        (Hotspot(HotspotType.EXTERNAL_LINK, 1, Rect(0, 0, 1, 1), {"url": ""}), "no URL"),
        (Hotspot(HotspotType.SLIDESHOW, 1, Rect(0, 0, 1, 1), {}), "slideshow"),
    ],
)
def test_unwritable_hotspots_raise_and_nothing_is_written(
    open_pdf: OpenPdf, hotspot: Hotspot, message: str
) -> None:
    doc = three_pages(open_pdf)
    good = external_link(1, Rect(0, 0, 5, 5), "https://good.example")
    with pytest.raises(ValueError, match=message):
        write_hotspots(doc, [good, hotspot])
    assert read_hotspots(doc).hotspots == []


def test_removing_hotspot_annotations_keeps_everything_else(open_pdf: OpenPdf) -> None:
    rect = (10, 20, 110, 60)
    note = json_note(rect, {"type": "product", "sku": "A"})
    spec = PageSpec(
        annots=[
            "<</Type/Annot/Subtype/Square/Rect[0 0 9 9]>>",
            uri_link(rect, "https://a.example"),
            text_annotation(rect, "just a comment"),
            goto_link(rect, "[@page2 /Fit]"),
            uri_link(rect, "javascript:alert(1)"),
        ],
        direct_annots=[note],
    )
    doc = open_pdf(build_pdf([spec, PageSpec(annots=[uri_link(rect, "https://b.example")])]))
    assert remove_hotspot_annotations(doc, pages=[1]) == 3
    extraction = read_hotspots(open_pdf(doc.to_bytes()))
    assert [h.page for h in extraction.hotspots] == [2]
    assert len(extraction.warnings) == 2  # the plain comment and the javascript: link stay
    subtypes = [
        doc.raw.xref_get_key(int(ref.split()[0]), "Subtype")[1]
        for ref in doc.raw.xref_get_key(doc.raw.page_xref(0), "Annots")[1].strip("[]").split(" R")
        if ref.strip()
    ]
    assert subtypes == ["/Square", "/Text", "/Link"]


def test_removing_a_sticky_note_removes_its_popup(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    write_hotspots(doc, [from_json(1, Rect(10, 10, 90, 90), {"type": "product", "sku": "P"})])
    note_xref = int(doc.raw.xref_get_key(doc.raw.page_xref(0), "Annots")[1].strip("[]").split()[0])
    popup = doc.raw.get_new_xref()
    doc.raw.update_object(
        popup, f"<</Type/Annot/Subtype/Popup/Rect[100 100 200 200]/Parent {note_xref} 0 R>>"
    )
    doc.raw.xref_set_key(note_xref, "Popup", f"{popup} 0 R")
    doc.raw.xref_set_key(doc.raw.page_xref(0), "Annots", f"[{note_xref} 0 R {popup} 0 R]")
    assert remove_hotspot_annotations(doc) == 1
    assert doc.raw.xref_get_key(doc.raw.page_xref(0), "Annots") == ("array", "[]")


def test_rewriting_hotspots_after_removal_replaces_them(open_pdf: OpenPdf) -> None:
    doc = three_pages(open_pdf)
    write_hotspots(doc, EVERY_KIND)
    assert remove_hotspot_annotations(doc) == len(EVERY_KIND)
    replacement = [page_reference(2, Rect(1, 1, 2, 2), 1)]
    assert_same_hotspots(written_and_read_back(open_pdf, doc, replacement), replacement)


# --- property: any hotspot on any page box round-trips -----------------------------------

coordinates = st.floats(min_value=-2000, max_value=2000, allow_nan=False, allow_infinity=False)
extents = st.floats(min_value=0.01, max_value=1500, allow_nan=False, allow_infinity=False)
urls = st.sampled_from(
    [
        "https://example.com",
        "http://shop.example.org/p?id=1&x=(2)",
        "mailto:a@b.example",
        "tel:+4912345",
    ]
)
skus = st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1, max_size=3)


@st.composite
def hotspots(draw: st.DrawFn, page_count: int) -> Hotspot:
    x0, y0 = draw(coordinates), draw(coordinates)
    rect = Rect(x0, y0, x0 + draw(extents), y0 + draw(extents))
    page = draw(st.integers(1, page_count))
    kind = draw(st.sampled_from(["link", "page", "product", "image", "video", "content"]))
    if kind == "link":
        return external_link(page, rect, draw(urls))
    if kind == "page":
        return page_reference(page, rect, draw(st.integers(1, page_count)))
    if kind == "product":
        data: dict[str, Any] = {"type": "product", "sku": draw(skus), "icon": draw(st.booleans())}
    elif kind == "image":
        data = {"type": "image", "source": draw(urls), "altText": draw(st.text(max_size=20))}
    elif kind == "video":
        data = {"type": "video", "source": draw(urls), "loop": draw(st.booleans())}
    else:
        data = {
            "type": "externalContent",
            "source": draw(urls),
            "maxWidth": draw(st.integers(1, 2000)),
        }
    return from_json(page, rect, data)


@st.composite
def documents_with_hotspots(draw: st.DrawFn) -> tuple[bytes, list[Hotspot]]:
    page_count = draw(st.integers(1, 3))
    specs = []
    for _ in range(page_count):
        x0, y0 = draw(coordinates), draw(coordinates)
        width, height = draw(st.floats(50, 1500)), draw(st.floats(50, 1500))
        specs.append(
            PageSpec(
                mediabox=(x0, y0, x0 + width, y0 + height),
                cropbox=(x0 + width / 10, y0 + height / 10, x0 + width, y0 + height),
                rotation=draw(st.sampled_from([0, 90, 180, 270])),
            )
        )
    return build_pdf(specs), draw(st.lists(hotspots(page_count), min_size=1, max_size=6))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_with_hotspots())
def test_any_hotspot_round_trips_through_a_saved_pdf(
    case: tuple[bytes, list[Hotspot]],
) -> None:
    data, written = case
    with PdfDocument.open(data) as doc:
        write_hotspots(doc, written)
        saved = doc.to_bytes()
    with PdfDocument.open(saved) as reopened:
        extraction = read_hotspots(reopened)
    assert extraction.warnings == []
    assert_same_hotspots(extraction.hotspots, sorted(written, key=lambda h: h.page))
