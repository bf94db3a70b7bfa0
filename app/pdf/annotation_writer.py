"""Hotspots into a PDF as annotations that ``read_hotspots`` reads back as the same hotspots.

- ``external_link`` (no popup): a /Link with a URI action and no border;
- ``page_reference``: a /Link with an explicit destination ``[page /Fit]``;
- ``product``, ``image``, ``video`` and ``external_link`` with popup: a /Text annotation
  (sticky note) whose Contents are the hotspot's JSON (``core.annotation_contents``), not
  printed. Its /Rect is the hotspot area, although viewers draw only an icon in its corner.

Annotations are written as raw objects so /Rect holds the user-space rectangle exactly;
PyMuPDF's ``add_*_annot`` helpers would turn a sticky note's rect into an icon box.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable

from app.core.hotspots import Hotspot, HotspotType, annotation_contents
from app.pdf import pdf_values
from app.pdf.annotation_array import annotation_xrefs, set_annotation_xrefs
from app.pdf.annotation_reader import read_annotation, selected_pages
from app.pdf.document import PdfDocument
from app.pdf.link_targets import DestinationResolver
from app.pdf.pdf_syntax import format_rect, format_text_string, parse_reference

logger = logging.getLogger(__name__)

# NoZoom | NoRotate, as viewers expect of a note; without the Print flag it never prints.
TEXT_ANNOTATION_FLAGS = 8 | 16
AUTHOR = "Folio"
MIN_EXTENT = 0.001  # points


def _rect_text(hotspot: Hotspot) -> str:
    r = hotspot.rect
    if not all(math.isfinite(v) for v in (r.x0, r.y0, r.x1, r.y1)):
        raise ValueError(f"a hotspot on page {hotspot.page} has a rectangle that is not finite")
    # Coordinates are written to 4 decimals; a thinner rectangle would read back empty.
    if r.width < MIN_EXTENT or r.height < MIN_EXTENT:
        raise ValueError(f"a hotspot on page {hotspot.page} has a rectangle without an area")
    return format_rect(r.x0, r.y0, r.x1, r.y1)


def _annotation_object(doc: PdfDocument, hotspot: Hotspot) -> str:
    """The PDF text of the annotation that describes ``hotspot``. Raises ValueError for a
    hotspot that cannot be written (page or target page out of range, no URL, a type that
    has no annotation form, a rectangle without an area)."""
    page_xref = doc.raw.page_xref(doc.check_page(hotspot.page))
    # /NM makes each annotation unique as the specification asks; without it, saving with
    # garbage collection merges two equal hotspots into one object listed twice.
    name = format_text_string(f"folio-{uuid.uuid4().hex}")
    common = f"/Type/Annot/Rect{_rect_text(hotspot)}/P {page_xref} 0 R/NM{name}"
    contents = annotation_contents(hotspot)
    if contents is not None:
        return (
            f"<<{common}/Subtype/Text/Contents{format_text_string(contents)}/Name/Comment"
            f"/F {TEXT_ANNOTATION_FLAGS}/Open false/T{format_text_string(AUTHOR)}>>"
        )
    if hotspot.type is HotspotType.PAGE_REFERENCE:
        target = hotspot.properties.get("page")
        if not isinstance(target, int) or isinstance(target, bool):
            raise ValueError(f"a page reference on page {hotspot.page} has no target page")
        try:
            target_xref = doc.raw.page_xref(doc.check_page(target))
        except ValueError as error:
            raise ValueError(f"a page reference on page {hotspot.page}: {error}") from None
        return f"<<{common}/Subtype/Link/Border[0 0 0]/Dest[{target_xref} 0 R/Fit]>>"
    url = hotspot.properties.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"a link on page {hotspot.page} has no URL")
    # A URI is ASCII by the specification; other text is written as UTF-16, which MuPDF
    # and Acrobat read back as the same text.
    action = f"<</S/URI/URI{format_text_string(url)}>>"
    return f"<<{common}/Subtype/Link/Border[0 0 0]/A{action}>>"


def write_hotspots(doc: PdfDocument, hotspots: Iterable[Hotspot]) -> None:
    """Add an annotation for each hotspot to the document in memory; the caller saves.

    Rectangles are PDF user space (points, origin bottom-left) of the hotspot's 1-based
    page. Existing annotations stay. Every hotspot is checked before anything is written:
    raises ValueError (nothing written) for one that cannot be written.
    """
    by_page: dict[int, list[str]] = defaultdict(list)
    for hotspot in hotspots:
        by_page[hotspot.page].append(_annotation_object(doc, hotspot))
    for page, objects in sorted(by_page.items()):
        xrefs = annotation_xrefs(doc, page)
        for text in objects:
            xref = int(doc.raw.get_new_xref())
            doc.raw.update_object(xref, text)
            xrefs.append(xref)
        set_annotation_xrefs(doc, page, xrefs)
        logger.debug("page %d: wrote %d hotspot annotations", page, len(objects))


def remove_hotspot_annotations(doc: PdfDocument, pages: Iterable[int] | None = None) -> int:
    """Remove from ``pages`` (1-based; all when None) every annotation that
    ``read_hotspots`` turns into a hotspot, with the popup of each sticky note; other
    annotations stay. Returns how many hotspot annotations were removed. Raises ValueError
    for a page that does not exist."""
    resolver = DestinationResolver(doc)
    removed = 0
    for page in selected_pages(doc, pages):
        xrefs = annotation_xrefs(doc, page)
        doomed: set[int] = set()
        for xref in xrefs:
            if isinstance(read_annotation(doc, page, xref, resolver), Hotspot):
                removed += 1
                doomed.add(xref)
                kind, text = pdf_values.value(doc, xref, "Popup")
                popup = parse_reference(text) if kind == "xref" else None
                if popup is not None:
                    doomed.add(popup)
        if doomed:
            set_annotation_xrefs(doc, page, [xref for xref in xrefs if xref not in doomed])
    return removed
