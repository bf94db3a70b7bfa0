"""Inserting, replacing and deleting pages."""

from __future__ import annotations

import pytest

from app.core.geometry import PageBox, Rect
from app.core.hotspots import external_link, page_reference
from app.pdf.annotation_reader import read_hotspots
from app.pdf.annotation_writer import write_hotspots
from app.pdf.document import PdfDocument
from app.pdf.page_ops import delete_page, insert_pages, replace_page
from tests.pdf.conftest import OpenPdf, PageSpec, build_pdf, corpus_file, goto_link


def widths(doc: PdfDocument) -> list[float]:
    """Pages are told apart by their width in these tests."""
    return [doc.page_size(page)[0] for page in range(1, doc.page_count + 1)]


def pages_of_widths(open_pdf: OpenPdf, *page_widths: int) -> PdfDocument:
    return open_pdf(build_pdf([PageSpec(mediabox=(0, 0, w, 800)) for w in page_widths]))


@pytest.fixture
def target(open_pdf: OpenPdf) -> PdfDocument:
    return pages_of_widths(open_pdf, 100, 200, 300)


@pytest.fixture
def source(open_pdf: OpenPdf) -> PdfDocument:
    return pages_of_widths(open_pdf, 510, 520, 530, 540)


# --- insert -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected_pages", "expected_widths"),
    [
        (1, [1, 2, 3, 4], [510, 520, 530, 540, 100, 200, 300]),
        (2, [2, 3, 4, 5], [100, 510, 520, 530, 540, 200, 300]),
        (4, [4, 5, 6, 7], [100, 200, 300, 510, 520, 530, 540]),
        (None, [4, 5, 6, 7], [100, 200, 300, 510, 520, 530, 540]),
    ],
    ids=["start", "middle", "end", "default-end"],
)
def test_all_source_pages_are_inserted_before_the_position(
    target: PdfDocument,
    source: PdfDocument,
    position: int | None,
    expected_pages: list[int],
    expected_widths: list[int],
) -> None:
    assert insert_pages(target, source, position=position) == expected_pages
    assert widths(target) == expected_widths


def test_selected_source_pages_are_inserted_in_the_given_order(
    target: PdfDocument, source: PdfDocument
) -> None:
    assert insert_pages(target, source, source_pages=[4, 1, 2, 2], position=2) == [2, 3, 4, 5]
    assert widths(target) == [100, 540, 510, 520, 520, 200, 300]


def test_inserted_pages_keep_rotation_cropbox_and_links(
    open_pdf: OpenPdf, target: PdfDocument
) -> None:
    spec = PageSpec(
        mediabox=(-20, -30, 580, 770),
        cropbox=(10, 270, 400, 750),
        rotation=90,
        annots=[goto_link((1, 1, 50, 50), "[@page2 /Fit]")],
    )
    source = open_pdf(build_pdf([spec, PageSpec()]))
    write_hotspots(source, [external_link(1, Rect(60, 300, 90, 330), "https://example.com")])
    insert_pages(target, source, position=1)
    assert target.page_box(1) == PageBox(Rect(10, 270, 400, 750), 90)
    hotspots = read_hotspots(open_pdf(target.to_bytes()), pages=[1]).hotspots
    assert page_reference(1, Rect(1, 1, 50, 50), 2) in hotspots
    assert external_link(1, Rect(60, 300, 90, 330), "https://example.com") in hotspots


def test_a_document_can_insert_its_own_pages(target: PdfDocument) -> None:
    assert insert_pages(target, target, source_pages=[3, 1], position=1) == [1, 2]
    assert widths(target) == [300, 100, 100, 200, 300]


def test_pages_of_a_real_book_go_into_another_document(
    open_pdf: OpenPdf, target: PdfDocument
) -> None:
    book = open_pdf(corpus_file("WaldenFull.pdf"))
    assert insert_pages(target, book, source_pages=range(1, 11), position=2) == list(range(2, 12))
    assert target.page_count == 13
    assert open_pdf(target.to_bytes()).page_count == 13


@pytest.mark.parametrize("position", [0, 5, -1])
def test_position_out_of_range_raises_and_changes_nothing(
    target: PdfDocument, source: PdfDocument, position: int
) -> None:
    with pytest.raises(ValueError, match="before pages 1 to 4"):
        insert_pages(target, source, position=position)
    assert widths(target) == [100, 200, 300]


@pytest.mark.parametrize("source_pages", [[0], [5], [1, 9]])
def test_source_page_out_of_range_raises_and_changes_nothing(
    target: PdfDocument, source: PdfDocument, source_pages: list[int]
) -> None:
    with pytest.raises(ValueError, match="source page"):
        insert_pages(target, source, source_pages=source_pages)
    assert widths(target) == [100, 200, 300]


def test_empty_selection_raises(target: PdfDocument, source: PdfDocument) -> None:
    with pytest.raises(ValueError, match="no source pages"):
        insert_pages(target, source, source_pages=[])


# --- replace ------------------------------------------------------------------------------


def test_replace_puts_the_source_page_in_place(target: PdfDocument, source: PdfDocument) -> None:
    replace_page(target, 2, source, 3)
    assert widths(target) == [100, 530, 300]


def test_replace_takes_the_first_source_page_by_default(
    target: PdfDocument, source: PdfDocument
) -> None:
    replace_page(target, 3, source)
    assert widths(target) == [100, 200, 510]


def test_replace_drops_the_old_page_annotations_and_keeps_links_to_the_page(
    open_pdf: OpenPdf, target: PdfDocument, source: PdfDocument
) -> None:
    write_hotspots(
        target,
        [
            page_reference(1, Rect(1, 1, 9, 9), 2),
            external_link(2, Rect(1, 1, 9, 9), "https://old.example"),
            page_reference(3, Rect(1, 1, 9, 9), 2),
        ],
    )
    replace_page(target, 2, source, 1)
    hotspots = read_hotspots(open_pdf(target.to_bytes())).hotspots
    assert hotspots == [
        page_reference(1, Rect(1, 1, 9, 9), 2),
        page_reference(3, Rect(1, 1, 9, 9), 2),
    ]


def test_replaced_page_shows_the_source_rotation_and_boxes(
    open_pdf: OpenPdf, target: PdfDocument
) -> None:
    source = open_pdf(
        build_pdf(
            [PageSpec(mediabox=(-20, -30, 580, 770), cropbox=(10, 270, 400, 750), rotation=270)]
        )
    )
    replace_page(target, 1, source)
    assert target.page_box(1) == PageBox(Rect(10, 270, 400, 750), 270)
    assert open_pdf(target.to_bytes()).page_box(1) == PageBox(Rect(10, 270, 400, 750), 270)


def test_replace_with_a_page_of_the_same_document(target: PdfDocument) -> None:
    replace_page(target, 1, target, 3)
    assert widths(target) == [300, 200, 300]


@pytest.mark.parametrize(("page", "source_page"), [(0, 1), (4, 1), (1, 0), (1, 5)])
def test_replace_out_of_range_raises_and_changes_nothing(
    target: PdfDocument, source: PdfDocument, page: int, source_page: int
) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        replace_page(target, page, source, source_page)
    assert widths(target) == [100, 200, 300]


# --- delete -------------------------------------------------------------------------------


def test_delete_removes_the_page(target: PdfDocument) -> None:
    delete_page(target, 2)
    assert widths(target) == [100, 300]


def test_the_last_remaining_page_cannot_be_deleted(open_pdf: OpenPdf) -> None:
    doc = pages_of_widths(open_pdf, 100)
    with pytest.raises(ValueError, match="only page"):
        delete_page(doc, 1)
    assert doc.page_count == 1


@pytest.mark.parametrize("page", [0, 4])
def test_delete_out_of_range_raises(target: PdfDocument, page: int) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        delete_page(target, page)
