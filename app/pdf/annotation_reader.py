"""Hotspots from a PDF's annotations: /Link annotations and /Text annotations with JSON.

Rules (API.md, "Hotspots from PDF annotations"): a /Link with a web address is an
``external_link``, a /Link to a page of the document a ``page_reference``; a /Text whose
Contents are a JSON object of a known type is that hotspot. Links elsewhere and Contents that
describe no hotspot give a warning instead; other subtypes (Popup, Highlight, Ink, FreeText,
Widget, ...) are not hotspots and pass silently. One broken annotation never stops the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.hotspots import (
    AnnotationWarning,
    Hotspot,
    NotAHotspot,
    read_annotation_contents,
)
from app.pdf import pdf_values
from app.pdf.annotation_array import annotation_xrefs
from app.pdf.document import MUPDF_ERRORS, PdfDocument
from app.pdf.link_targets import DestinationResolver, link_hotspot
from app.pdf.pdf_syntax import PdfSyntaxError

logger = logging.getLogger(__name__)

# Hotspot JSON is a few hundred bytes; a cap keeps hostile files from feeding megabytes of
# deeply nested JSON to the parser.
MAX_CONTENTS_LENGTH = 64 * 1024
HOTSPOT_SUBTYPES = ("Link", "Text")
# Errors a malformed annotation can cause while it is read (PyMuPDF raises ValueError for
# things like a bad object number; PdfSyntaxError is one too).
_BROKEN_ANNOTATION_ERRORS: tuple[type[Exception], ...] = (*MUPDF_ERRORS, ValueError)


@dataclass(frozen=True)
class Extraction:
    """Hotspots in page order, then annotation order, and the annotations that were not."""

    hotspots: list[Hotspot]
    warnings: list[AnnotationWarning]


def selected_pages(doc: PdfDocument, pages: Iterable[int] | None) -> list[int]:
    """The 1-based pages to visit, ascending and each once (all when ``pages`` is None).
    Raises ValueError for a page that does not exist."""
    if pages is None:
        return list(range(1, doc.page_count + 1))
    chosen = sorted(set(pages))
    for page in chosen:
        doc.check_page(page)
    return chosen


def read_hotspots(doc: PdfDocument, pages: Iterable[int] | None = None) -> Extraction:
    """The hotspots that the annotations on ``pages`` (1-based; all when None) describe.

    Rectangles are the annotations' raw /Rect in PDF user space (points, origin bottom-left),
    not PyMuPDF's icon box of a sticky note. Direct annotation objects are promoted to
    indirect ones in memory first (see ``annotation_array``); nothing is saved. Raises
    ValueError for a page that does not exist; problems inside the file become warnings.
    """
    resolver = DestinationResolver(doc)
    hotspots: list[Hotspot] = []
    warnings: list[AnnotationWarning] = []
    for page in selected_pages(doc, pages):
        try:
            xrefs = annotation_xrefs(doc, page)
        except _BROKEN_ANNOTATION_ERRORS as error:
            logger.info("page %d: unreadable /Annots: %s", page, error)
            warnings.append(AnnotationWarning(page, "the page's list of annotations is damaged"))
            continue
        for xref in xrefs:
            result = read_annotation(doc, page, xref, resolver)
            if isinstance(result, Hotspot):
                hotspots.append(result)
            elif result is not None:
                warnings.append(result)
    return Extraction(hotspots, warnings)


def read_annotation(
    doc: PdfDocument, page: int, xref: int, resolver: DestinationResolver
) -> Hotspot | AnnotationWarning | None:
    """The hotspot annotation ``xref`` on 1-based ``page`` describes, a warning saying why a
    /Link or /Text is not one, or None for annotations of other kinds. Never raises for a
    malformed annotation."""
    try:
        subtype = pdf_values.name(doc, xref, "Subtype")
        if subtype not in HOTSPOT_SUBTYPES:
            return None
        try:
            rect = pdf_values.rect(doc, xref)
        except PdfSyntaxError as error:
            logger.debug("page %d, object %d: %s", page, xref, error)
            return AnnotationWarning(page, f"a {subtype.lower()} annotation without a usable /Rect")
        if subtype == "Link":
            return link_hotspot(doc, page, xref, rect, resolver)
        contents = pdf_values.text_string(doc, xref, "Contents")
        if contents is not None and len(contents) > MAX_CONTENTS_LENGTH:
            return AnnotationWarning(
                page,
                f"a text annotation whose contents are longer than {MAX_CONTENTS_LENGTH // 1024} KiB",
            )
        kind, properties = read_annotation_contents(contents)
        return Hotspot(kind, page, rect, properties)
    except NotAHotspot as reason:
        return AnnotationWarning(page, str(reason))
    except _BROKEN_ANNOTATION_ERRORS as error:
        logger.info("page %d, object %d: unreadable annotation: %s", page, xref, error)
        return AnnotationWarning(page, "an annotation that could not be read")
