"""Hotspots from PDF annotations: the rules of API.md, real files, and hostile ones."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from app.core.geometry import Rect
from app.core.hotspots import (
    AnnotationWarning,
    Hotspot,
    HotspotType,
    external_link,
    page_reference,
)
from app.pdf.annotation_reader import MAX_CONTENTS_LENGTH, read_hotspots
from app.pdf.document import PdfDocument
from app.pdf.pdf_syntax import split_array
from tests.pdf.conftest import (
    OpenPdf,
    PageSpec,
    build_pdf,
    corpus_file,
    goto_link,
    json_note,
    text_annotation,
    uri_link,
)

R = (10, 20, 110, 60)
RECT = Rect(10, 20, 110, 60)


def one_page(open_pdf: OpenPdf, *annots: str, pages: int = 3, **options: object) -> PdfDocument:
    """A document whose first page carries ``annots`` (indirect), with ``pages`` pages."""
    specs = [PageSpec(annots=annots)] + [PageSpec() for _ in range(pages - 1)]
    return open_pdf(build_pdf(specs, **options))  # type: ignore[arg-type]


def only_hotspot(doc: PdfDocument) -> Hotspot:
    extraction = read_hotspots(doc)
    assert extraction.warnings == []
    assert len(extraction.hotspots) == 1
    return extraction.hotspots[0]


def only_warning(doc: PdfDocument) -> AnnotationWarning:
    extraction = read_hotspots(doc)
    assert extraction.hotspots == []
    assert len(extraction.warnings) == 1
    return extraction.warnings[0]


# --- the shared corpus --------------------------------------------------------------------


def test_explicit_goto_links_and_a_mailto_link_from_ilovepdf(open_pdf: OpenPdf) -> None:
    extraction = read_hotspots(open_pdf(corpus_file("test_2861.pdf")))
    kinds = Counter(h.type for h in extraction.hotspots)
    assert kinds == {HotspotType.PAGE_REFERENCE: 3, HotspotType.EXTERNAL_LINK: 1}
    link = next(h for h in extraction.hotspots if h.type is HotspotType.EXTERNAL_LINK)
    assert link.properties == {"url": "mailto:gabriele.ferrario@unibo.it", "popup": False}
    # The raw /Rect in user space, not PyMuPDF's y-down link rectangle.
    assert link.rect.is_close(Rect(178.9142, 449.77415, 288.13438, 462.96144), 1e-4)
    assert extraction.warnings == []


def test_pdflatex_links_to_named_destinations_become_page_references(
    open_pdf: OpenPdf,
) -> None:
    extraction = read_hotspots(open_pdf(corpus_file("pdflatex-outline.pdf")))
    assert [h.properties["page"] for h in extraction.hotspots] == [2, 2, 2, 2, 3, 3, 3, 4, 4]
    assert all(h.type is HotspotType.PAGE_REFERENCE and h.page == 1 for h in extraction.hotspots)
    assert extraction.hotspots[0].rect.is_close(Rect(123.806, 683.215, 158.772, 692.043), 1e-6)


def test_libreoffice_uri_link(open_pdf: OpenPdf) -> None:
    hotspot = only_hotspot(open_pdf(corpus_file("libre-office-link.pdf")))
    assert hotspot.properties == {"url": "https://martin-thoma.com/", "popup": False}


def test_links_of_a_long_book_are_all_found(open_pdf: OpenPdf) -> None:
    extraction = read_hotspots(open_pdf(corpus_file("WaldenFull.pdf")))
    kinds = Counter(h.type for h in extraction.hotspots)
    assert kinds == {HotspotType.PAGE_REFERENCE: 18, HotspotType.EXTERNAL_LINK: 2}
    assert [h.page for h in extraction.hotspots] == sorted(h.page for h in extraction.hotspots)


def test_sticky_notes_with_plain_text_are_warnings_one_each(open_pdf: OpenPdf) -> None:
    extraction = read_hotspots(open_pdf(corpus_file("pr12564.pdf")))
    assert extraction.hotspots == []
    assert (
        extraction.warnings
        == [AnnotationWarning(1, "a text annotation whose contents are not JSON")] * 13
    )


def test_popups_are_ignored_next_to_a_link_and_a_plain_note(open_pdf: OpenPdf) -> None:
    extraction = read_hotspots(open_pdf(corpus_file("annotation-link-text-popup.pdf")))
    assert [h.properties["url"] for h in extraction.hotspots] == ["http://www.mozilla.org/"]
    assert len(extraction.warnings) == 1


def test_launch_links_to_local_files_are_warnings(open_pdf: OpenPdf) -> None:
    extraction = read_hotspots(open_pdf(corpus_file("joined.pdf")))
    reasons = Counter(w.reason for w in extraction.warnings)
    assert reasons["a link that opens a local file"] == 21
    kinds = Counter(h.type for h in extraction.hotspots)
    assert kinds == {HotspotType.PAGE_REFERENCE: 456, HotspotType.EXTERNAL_LINK: 13}


# --- links --------------------------------------------------------------------------------


def test_uri_link_is_an_external_link_with_its_raw_rect_normalised(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, uri_link((110, 60, 10, 20), "https://example.com/a?b=(c)"))
    assert only_hotspot(doc) == external_link(1, RECT, "https://example.com/a?b=(c)")


@pytest.mark.parametrize("action", [True, False], ids=["goto-action", "dest-key"])
def test_explicit_destination_is_a_page_reference(open_pdf: OpenPdf, action: bool) -> None:
    doc = one_page(open_pdf, goto_link(R, "[@page3 /XYZ 0 800 0]", action=action))
    assert only_hotspot(doc) == page_reference(1, RECT, 3)


@pytest.mark.parametrize("destination", ["(chapter two)", "/chapter#20two"], ids=["string", "name"])
def test_named_destination_is_a_page_reference(open_pdf: OpenPdf, destination: str) -> None:
    doc = one_page(
        open_pdf,
        goto_link(R, destination),
        goto_link(R, destination, action=False),
        named_destinations={"chapter two": 2, "other": 3},
    )
    extraction = read_hotspots(doc)
    assert extraction.hotspots == [page_reference(1, RECT, 2)] * 2


def test_legacy_dests_dictionary_resolves_names(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, goto_link(R, "/intro", action=False), legacy_destinations={"intro": 3})
    assert only_hotspot(doc) == page_reference(1, RECT, 3)


def test_goto_with_a_page_index_instead_of_a_page_object(open_pdf: OpenPdf) -> None:
    assert only_hotspot(one_page(open_pdf, goto_link(R, "[1 /Fit]"))) == page_reference(1, RECT, 2)


@pytest.mark.parametrize("kept", ["[@page3 /Fit]", "<</D[@page3 /Fit]>>"], ids=["array", "dict"])
def test_destination_kept_as_an_object_of_its_own(open_pdf: OpenPdf, kept: str) -> None:
    doc = one_page(open_pdf)
    page3 = doc.raw.page_xref(2)
    destination = doc.raw.get_new_xref()
    doc.raw.update_object(destination, kept.replace("@page3", f"{page3} 0 R"))
    link = doc.raw.get_new_xref()
    doc.raw.update_object(link, goto_link(R, f"{destination} 0 R"))
    doc.raw.xref_set_key(doc.raw.page_xref(0), "Annots", f"[{link} 0 R]")
    assert only_hotspot(doc) == page_reference(1, RECT, 3)


@pytest.mark.parametrize("destination", ["(nowhere)", "[999 0 R /Fit]", "[7 /Fit]", "42"])
def test_unresolvable_destination_is_a_warning(open_pdf: OpenPdf, destination: str) -> None:
    doc = one_page(open_pdf, goto_link(R, destination), named_destinations={"x": 1})
    assert only_warning(doc) == AnnotationWarning(1, "a link to a destination that does not exist")


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("<</S/GoToR/F(other.pdf)/D[0 /Fit]>>", "a link into another PDF file"),
        ("<</S/Launch/F(setup.exe)>>", "a link that opens a local file"),
        ("<</S/Launch/F<</Type/Filespec/F(price list.pdf)>>>>", "a link that opens a local file"),
        ("<</S/JavaScript/JS(app.alert(1))>>", "a link with a /JavaScript action"),
        ("<</S/Named/N/Print>>", "a link with the viewer action /Print"),
        ("<</S/URI>>", "a link without an address"),
    ],
)
def test_links_that_lead_nowhere_a_hotspot_can_go_are_warnings(
    open_pdf: OpenPdf, action: str, reason: str
) -> None:
    doc = one_page(open_pdf, f"<</Type/Annot/Subtype/Link/Rect[10 20 110 60]/A{action}>>")
    assert only_warning(doc) == AnnotationWarning(1, reason)


def test_link_without_action_or_destination_is_a_warning(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, "<</Type/Annot/Subtype/Link/Rect[10 20 110 60]>>")
    assert only_warning(doc).reason == "a link without an action or a destination"


def test_launch_of_a_web_address_is_an_external_link(open_pdf: OpenPdf) -> None:
    doc = one_page(
        open_pdf,
        "<</Type/Annot/Subtype/Link/Rect[10 20 110 60]/A<</S/Launch/F(https://example.com/)>>>>",
    )
    assert only_hotspot(doc) == external_link(1, RECT, "https://example.com/")


@pytest.mark.parametrize(
    ("page", "action", "target"),
    [(2, "NextPage", 3), (2, "PrevPage", 1), (2, "FirstPage", 1), (2, "LastPage", 3)],
)
def test_viewer_navigation_actions_are_page_references(
    open_pdf: OpenPdf, page: int, action: str, target: int
) -> None:
    link = f"<</Type/Annot/Subtype/Link/Rect[10 20 110 60]/A<</S/Named/N/{action}>>>>"
    specs = [PageSpec(annots=[link] if n == page else []) for n in (1, 2, 3)]
    assert only_hotspot(open_pdf(build_pdf(specs))) == page_reference(page, RECT, target)


@pytest.mark.parametrize(
    ("uri", "url"),
    [
        ("www.example.com/catalogue", "http://www.example.com/catalogue"),
        ("shop.example.org", "http://shop.example.org"),
        ("sales@example.com", "mailto:sales@example.com"),
        ("mailto:sales@example.com?subject=Hi", "mailto:sales@example.com?subject=Hi"),
        ("  https://example.com/  ", "https://example.com/"),
        ("www.example.com:8080/x", "http://www.example.com:8080/x"),
    ],
)
def test_uri_without_a_scheme_gets_one(open_pdf: OpenPdf, uri: str, url: str) -> None:
    assert only_hotspot(one_page(open_pdf, uri_link(R, uri))).properties["url"] == url


@pytest.mark.parametrize(
    ("uri", "reason_start"),
    [
        ("javascript:alert(1)", "a link with a 'javascript:' address"),
        ("file:///etc/passwd", "a link with a 'file:' address"),
        ("price-list.pdf", "a link to a relative address or a local file"),
        ("../index.html", "a link to a relative address or a local file"),
        ("", "a link with an empty address"),
    ],
)
def test_unsafe_or_relative_uris_are_warnings(
    open_pdf: OpenPdf, uri: str, reason_start: str
) -> None:
    assert only_warning(one_page(open_pdf, uri_link(R, uri))).reason.startswith(reason_start)


# --- text annotations with JSON -----------------------------------------------------------


def test_product_note_uses_the_raw_rect_not_the_icon_box(open_pdf: OpenPdf) -> None:
    spec = PageSpec(
        mediabox=(-20, -30, 580, 770),
        cropbox=(10, 270, 400, 750),
        rotation=90,
        annots=[json_note((300, 500, 100, 300), {"type": "product", "sku": "AB-1"})],
    )
    doc = open_pdf(build_pdf([spec]))
    hotspot = only_hotspot(doc)
    assert hotspot == Hotspot(
        HotspotType.PRODUCT,
        1,
        Rect(100, 300, 300, 500),
        {"skus": ["AB-1"], "icon": True, "dynamic": True},
    )
    page = doc.raw[0]  # an Annot must not outlive its Page: PyMuPDF would crash
    icon = next(iter(page.annots())).rect
    assert icon.width < 50, "PyMuPDF no longer reports the icon box; the test proves nothing"


def test_image_video_and_external_content_notes(open_pdf: OpenPdf) -> None:
    doc = one_page(
        open_pdf,
        json_note(R, {"type": "image", "source": "https://cdn.example.com/a.png", "altText": "A"}),
        json_note(R, {"type": "video", "source": "https://youtu.be/dQw4w9WgXcQ", "loop": True}),
        json_note(R, {"type": "externalContent", "source": "https://example.com", "maxWidth": 640}),
    )
    image, video, content = read_hotspots(doc).hotspots
    assert image.type is HotspotType.IMAGE
    assert image.properties == {"source": "https://cdn.example.com/a.png", "altText": "A"}
    assert video.type is HotspotType.VIDEO
    assert video.properties["provider"] == "youtube" and video.properties["loop"] is True
    assert content.type is HotspotType.EXTERNAL_LINK
    assert content.properties == {
        "url": "https://example.com",
        "popup": True,
        "max_width": 640,
        "max_height": None,
    }


def test_non_ascii_json_contents_are_decoded(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, text_annotation(R, '{"type": "product", "sku": "Tröja-42 😀"}'))
    assert only_hotspot(doc).properties["skus"] == ["Tröja-42 😀"]


@pytest.mark.parametrize(
    ("contents", "reason"),
    [
        ('{"type": "product", "sku": ', "a text annotation whose contents are not JSON"),
        ("Please check the price", "a text annotation whose contents are not JSON"),
        ('["product"]', "a text annotation whose JSON is not an object"),
        ('{"type": "product"}', "a product hotspot needs 'sku': a string or a list of strings"),
        ("[" * 60_000, "a text annotation whose contents are not JSON"),
    ],
    ids=["broken-json", "prose", "array", "no-sku", "deeply-nested"],
)
def test_notes_that_describe_no_hotspot_are_warnings(
    open_pdf: OpenPdf, contents: str, reason: str
) -> None:
    assert only_warning(one_page(open_pdf, text_annotation(R, contents))) == AnnotationWarning(
        1, reason
    )


def test_unknown_hotspot_type_is_a_warning_naming_it(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, json_note(R, {"type": "hologram"}))
    assert "'hologram'" in only_warning(doc).reason


def test_note_without_contents_is_a_warning(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, "<</Type/Annot/Subtype/Text/Rect[10 20 110 60]>>")
    assert only_warning(doc).reason == "a text annotation without contents"


def test_huge_contents_are_refused_before_parsing(open_pdf: OpenPdf) -> None:
    padding = " " * MAX_CONTENTS_LENGTH
    doc = one_page(open_pdf, text_annotation(R, '{"type": "product", "sku": "A"}' + padding))
    assert only_warning(doc).reason == "a text annotation whose contents are longer than 64 KiB"


def test_contents_kept_as_an_indirect_string_are_read(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf)
    contents = doc.raw.get_new_xref()
    doc.raw.update_object(contents, '({"type": "product", "sku": "IND-1"})')
    note = doc.raw.get_new_xref()
    doc.raw.update_object(
        note, f"<</Type/Annot/Subtype/Text/Rect[10 20 110 60]/Contents {contents} 0 R>>"
    )
    doc.raw.xref_set_key(doc.raw.page_xref(0), "Annots", f"[{note} 0 R]")
    assert only_hotspot(doc).properties["skus"] == ["IND-1"]


# --- other annotations, order, robustness --------------------------------------------------


def test_other_subtypes_pass_silently(open_pdf: OpenPdf) -> None:
    doc = one_page(
        open_pdf,
        "<</Type/Annot/Subtype/Square/Rect[0 0 50 50]/Contents(not a hotspot)>>",
        "<</Type/Annot/Subtype/Highlight/Rect[0 0 50 50]/QuadPoints[0 50 50 50 0 0 50 0]>>",
        "<</Type/Annot/Subtype/FreeText/Rect[0 0 50 50]/Contents(note)/DA(/Helv 12 Tf 0 g)>>",
        "<</Type/Annot/Subtype/Popup/Rect[0 0 50 50]>>",
        "<</Type/Annot/Subtype/Widget/FT/Tx/T(field)/Rect[0 0 50 50]>>",
    )
    assert read_hotspots(doc).hotspots == read_hotspots(doc).warnings == []


def test_hotspots_come_in_page_order_then_annotation_order(open_pdf: OpenPdf) -> None:
    specs = [
        PageSpec(annots=[uri_link(R, "https://a.example"), goto_link(R, "[@page2 /Fit]")]),
        PageSpec(
            annots=[json_note(R, {"type": "product", "sku": "B"}), uri_link(R, "https://c.example")]
        ),
    ]
    extraction = read_hotspots(open_pdf(build_pdf(specs)))
    assert [(h.page, h.type) for h in extraction.hotspots] == [
        (1, HotspotType.EXTERNAL_LINK),
        (1, HotspotType.PAGE_REFERENCE),
        (2, HotspotType.PRODUCT),
        (2, HotspotType.EXTERNAL_LINK),
    ]


def test_only_the_requested_pages_are_read_in_ascending_order(open_pdf: OpenPdf) -> None:
    specs = [PageSpec(annots=[uri_link(R, f"https://p{n}.example")]) for n in (1, 2, 3)]
    doc = open_pdf(build_pdf(specs))
    assert [h.page for h in read_hotspots(doc, pages=[3, 1, 3]).hotspots] == [1, 3]


@pytest.mark.parametrize("pages", [[0], [4], [1, 5]])
def test_requesting_a_page_that_does_not_exist_raises_value_error(
    open_pdf: OpenPdf, pages: list[int]
) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        read_hotspots(one_page(open_pdf), pages=pages)


@pytest.mark.parametrize(
    "rect", ["", "/Rect[1 2 3]", "/Rect[1 2 1 9]", "/Rect(abc)", "/Rect[a b c d]"]
)
def test_annotation_with_a_broken_rect_is_a_warning_and_the_rest_still_count(
    open_pdf: OpenPdf, rect: str
) -> None:
    broken = f"<</Type/Annot/Subtype/Link{rect}/A<</S/URI/URI(https://broken.example)>>>>"
    doc = one_page(open_pdf, broken, uri_link(R, "https://fine.example"))
    extraction = read_hotspots(doc)
    assert extraction.hotspots == [external_link(1, RECT, "https://fine.example")]
    assert extraction.warnings == [AnnotationWarning(1, "a link annotation without a usable /Rect")]


def test_references_to_missing_objects_in_annots_are_skipped(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf, uri_link(R, "https://fine.example"))
    page_xref = doc.raw.page_xref(0)
    annots = doc.raw.xref_get_key(page_xref, "Annots")[1]
    doc.raw.xref_set_key(page_xref, "Annots", annots.replace("]", " 99999 0 R null 7]"))
    assert only_hotspot(doc).properties["url"] == "https://fine.example"


def test_damaged_annots_array_is_a_page_warning(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf)
    doc.raw.xref_set_key(doc.raw.page_xref(0), "Annots", "(not an array)")
    assert only_warning(doc) == AnnotationWarning(1, "the page's list of annotations is damaged")


# --- direct (inline) annotation objects -----------------------------------------------------


def direct_objects_pdf() -> bytes:
    return build_pdf(
        [
            PageSpec(
                annots=[uri_link(R, "https://indirect.example")],
                direct_annots=[
                    uri_link(R, "https://direct.example"),
                    json_note((300, 400, 100, 200), {"type": "product", "sku": ["X", "Y"]}),
                    goto_link(R, "[@page2 /Fit]"),
                ],
            ),
            PageSpec(),
        ]
    )


def test_direct_annotation_objects_are_read_in_array_order(open_pdf: OpenPdf) -> None:
    doc = open_pdf(direct_objects_pdf())
    assert doc.raw[0].get_links()[1]["xref"] == 0, "PyMuPDF sees direct objects now"
    assert read_hotspots(doc).hotspots == [
        external_link(1, RECT, "https://indirect.example"),
        external_link(1, RECT, "https://direct.example"),
        Hotspot(
            HotspotType.PRODUCT,
            1,
            Rect(100, 200, 300, 400),
            {"skus": ["X", "Y"], "icon": True, "dynamic": True},
        ),
        page_reference(1, RECT, 2),
    ]


def test_promoting_direct_objects_is_idempotent(open_pdf: OpenPdf) -> None:
    doc = open_pdf(direct_objects_pdf())
    first = read_hotspots(doc)
    objects = doc.raw.xref_length()
    annots = doc.raw.xref_get_key(doc.raw.page_xref(0), "Annots")[1]
    assert all(element.endswith(" R") for element in split_array(annots))
    assert read_hotspots(doc) == first
    assert doc.raw.xref_length() == objects


def test_direct_objects_inside_an_indirect_annots_array(open_pdf: OpenPdf) -> None:
    doc = one_page(open_pdf)
    array = doc.raw.get_new_xref()
    doc.raw.update_object(array, "[" + uri_link(R, "https://in-array.example") + "]")
    doc.raw.xref_set_key(doc.raw.page_xref(0), "Annots", f"{array} 0 R")
    assert only_hotspot(doc) == external_link(1, RECT, "https://in-array.example")
    assert doc.raw.xref_get_key(doc.raw.page_xref(0), "Annots") == ("xref", f"{array} 0 R")


def test_contents_with_brackets_and_escapes_survive_promotion(open_pdf: OpenPdf) -> None:
    contents = json.dumps({"type": "product", "sku": "A)(]>>[<<\\b % not a comment"})
    doc = open_pdf(build_pdf([PageSpec(direct_annots=[text_annotation(R, contents)])]))
    assert only_hotspot(doc).properties["skus"] == ["A)(]>>[<<\\b % not a comment"]
