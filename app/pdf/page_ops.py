"""Insert, replace and delete pages of a PDF in memory (the caller saves).

Inserted pages keep their links and annotations (PyMuPDF's ``insert_pdf`` copies them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pymupdf

from app.pdf.annotation_array import annotation_xrefs
from app.pdf.document import PdfDocument
from app.pdf.pdf_syntax import split_array

logger = logging.getLogger(__name__)


def _runs(indexes: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive ascending 0-based indexes grouped as (first, last) runs, in order."""
    runs: list[tuple[int, int]] = []
    for index in indexes:
        if runs and runs[-1][1] + 1 == index:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def insert_pages(
    target: PdfDocument,
    source: PdfDocument,
    *,
    source_pages: Sequence[int] | None = None,
    position: int | None = None,
) -> list[int]:
    """Insert the 1-based ``source_pages`` of ``source`` (all when None, in the given order,
    repeats allowed) before 1-based ``position`` of ``target`` (None or page_count + 1: at
    the end). ``source`` may be ``target`` itself. Returns the 1-based page numbers the
    inserted pages have in ``target``. Raises ValueError, changing nothing, for an empty
    selection or a page number or position out of range."""
    count = target.page_count
    if position is None:
        position = count + 1
    if (
        isinstance(position, bool)
        or not isinstance(position, int)
        or not 1 <= position <= count + 1
    ):
        raise ValueError(f"pages can be inserted before pages 1 to {count + 1}, not {position!r}")
    if source_pages is None:
        indexes = list(range(source.page_count))
    else:
        indexes = []
        for page in source_pages:
            try:
                indexes.append(source.check_page(page))
            except ValueError as error:
                raise ValueError(f"the source {error}") from None
    if not indexes:
        raise ValueError("no source pages to insert")
    raw_source = source.raw
    copy: pymupdf.Document | None = None
    if source.raw is target.raw:
        # insert_pdf cannot read from the document it writes to.
        copy = pymupdf.open(stream=target.raw.tobytes(), filetype="pdf")
        raw_source = copy
    try:
        at = position - 1
        runs = _runs(indexes)
        for number, (first, last) in enumerate(runs):
            # final=False keeps the map of copied objects, so fonts and images that the runs
            # share are copied once.
            target.raw.insert_pdf(
                raw_source,
                from_page=first,
                to_page=last,
                start_at=at,
                final=number == len(runs) - 1,
            )
            at += last - first + 1
    finally:
        if copy is not None:
            copy.close()
    logger.debug("inserted %d pages before page %d", len(indexes), position)
    return list(range(position, position + len(indexes)))


def replace_page(target: PdfDocument, page: int, source: PdfDocument, source_page: int = 1) -> None:
    """Replace 1-based ``page`` of ``target`` with 1-based ``source_page`` of ``source``.

    The old page's contents, boxes and annotations go; the page object stays, so links,
    named destinations and bookmarks that pointed at the old page now point at the new one
    (deleting and inserting would drop them). Raises ValueError, changing nothing, for a
    page out of range.
    """
    index = target.check_page(page)
    try:
        source.check_page(source_page)
    except ValueError as error:
        raise ValueError(f"the source {error}") from None
    # Copy the page in at the end, move its dictionary into the old page object, then drop
    # the emptied copy.
    (added,) = insert_pages(target, source, source_pages=[source_page])
    raw = target.raw
    old_xref, new_xref = int(raw.page_xref(index)), int(raw.page_xref(added - 1))
    parent = raw.xref_get_key(old_xref, "Parent")[1]
    raw.update_object(old_xref, raw.xref_object(new_xref, compressed=True))
    raw.xref_set_key(old_xref, "Parent", parent)
    # Attributes the copy lacks would otherwise be inherited from the old page's parents.
    if raw.xref_get_key(old_xref, "Rotate")[0] == "null":
        raw.xref_set_key(old_xref, "Rotate", "0")
    if raw.xref_get_key(old_xref, "CropBox")[0] == "null":
        raw.xref_set_key(old_xref, "CropBox", raw.xref_get_key(old_xref, "MediaBox")[1])
    _repoint_annotations(target, page, new_xref, old_xref)
    raw.xref_set_key(new_xref, "Annots", "[]")
    raw.delete_page(added - 1)


def _repoint_annotations(target: PdfDocument, page: int, from_xref: int, to_xref: int) -> None:
    """Make the annotations of 1-based ``page`` name page object ``to_xref`` where they
    name ``from_xref``: their /P, and destinations of links to the page itself."""
    raw = target.raw
    old, new = f"{from_xref} 0 R", f"{to_xref} 0 R"
    for xref in annotation_xrefs(target, page):
        if raw.xref_get_key(xref, "P")[1] == old:
            raw.xref_set_key(xref, "P", new)
        for key in ("Dest", "A/D"):
            kind, text = raw.xref_get_key(xref, key)
            if kind != "array":
                continue
            elements = split_array(text)
            if elements and elements[0] == old:
                raw.xref_set_key(xref, key, "[" + " ".join([new, *elements[1:]]) + "]")


def delete_page(target: PdfDocument, page: int) -> None:
    """Delete 1-based ``page``. Raises ValueError for a page out of range and for the only
    page (a PDF needs at least one)."""
    index = target.check_page(page)
    if target.page_count == 1:
        raise ValueError("the only page of a PDF cannot be deleted")
    target.raw.delete_page(index)
