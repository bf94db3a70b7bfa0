"""A page's /Annots array: its annotations in order, each an indirect object.

Some writers put annotations into /Annots as direct (inline) dictionaries. PyMuPDF's
``page.annots()`` skips those and ``page.get_links()`` reports them with xref 0, so before
anything reads or edits a page's annotations they are promoted here, in memory, to indirect
objects with the same contents. Promotion is idempotent: a second pass finds only references.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from app.pdf.document import MUPDF_ERRORS, PdfDocument
from app.pdf.pdf_syntax import PdfSyntaxError, parse_reference, split_array

logger = logging.getLogger(__name__)


def _read_elements(doc: PdfDocument, page_xref: int) -> tuple[int | None, list[str]]:
    """The object number of an indirect /Annots array (None when direct or absent), and the
    array's elements as PDF text."""
    kind, value = doc.raw.xref_get_key(page_xref, "Annots")
    if kind == "null":
        return None, []
    if kind == "array":
        return None, split_array(value)
    array_xref = parse_reference(value) if kind == "xref" else None
    if array_xref is None:
        raise PdfSyntaxError(f"the page's /Annots is a {kind}, not an array")
    try:
        text = doc.raw.xref_object(array_xref, compressed=True)
    except MUPDF_ERRORS as error:
        raise PdfSyntaxError(f"the page's /Annots object cannot be read: {error}") from None
    if text.strip() == "null":
        return array_xref, []
    return array_xref, split_array(text)


def _write_elements(
    doc: PdfDocument, page_xref: int, array_xref: int | None, elements: list[str]
) -> None:
    text = "[" + " ".join(elements) + "]"
    if array_xref is None:
        doc.raw.xref_set_key(page_xref, "Annots", text)
    else:
        doc.raw.update_object(array_xref, text)


def annotation_xrefs(doc: PdfDocument, page: int) -> list[int]:
    """Object numbers of the 1-based page's annotations in /Annots order, each once.

    Direct annotation dictionaries are first promoted to indirect objects in the document
    in memory (nothing is saved). Raises ValueError for a page that does not exist and
    PdfSyntaxError when the page's /Annots cannot be read.
    """
    page_xref = doc.raw.page_xref(doc.check_page(page))
    array_xref, elements = _read_elements(doc, page_xref)
    xrefs: list[int] = []
    xref_limit = int(doc.raw.xref_length())
    changed = False
    for index, element in enumerate(elements):
        xref = parse_reference(element)
        if xref is not None and not 0 < xref < xref_limit:
            xref = None  # a reference to an object that does not exist counts as null
        elif xref is None and element.startswith("<<"):
            xref = _promote(doc, element)
            if xref is not None:
                elements[index] = f"{xref} 0 R"
                changed = True
        if xref is not None and xref not in xrefs:
            xrefs.append(xref)
    if changed:
        _write_elements(doc, page_xref, array_xref, elements)
        logger.debug("page %d: promoted direct annotations to indirect objects", page)
    return xrefs


def _promote(doc: PdfDocument, dictionary: str) -> int | None:
    xref = int(doc.raw.get_new_xref())
    try:
        doc.raw.update_object(xref, dictionary)
    except MUPDF_ERRORS as error:
        logger.info("a direct annotation that MuPDF cannot parse was skipped: %s", error)
        doc.raw.update_object(xref, "null")
        return None
    return xref


def set_annotation_xrefs(doc: PdfDocument, page: int, xrefs: Iterable[int]) -> None:
    """Make the 1-based page's /Annots exactly references to ``xrefs``, in order.

    The array is written directly into the page, so an /Annots array that several pages
    share stays unchanged for the others. Raises ValueError for a page that does not exist.
    """
    page_xref = doc.raw.page_xref(doc.check_page(page))
    _write_elements(doc, page_xref, None, [f"{xref} 0 R" for xref in xrefs])
