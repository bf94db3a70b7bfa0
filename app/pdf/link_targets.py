"""What a /Link annotation leads to: a web address, a page of the same document, or nothing
a hotspot can be (another file, a script, a destination that does not exist).

Read from the raw objects rather than ``page.get_links()``: that list matches links to their
objects only by position and only when the counts agree, and it skips direct objects.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import quote

from app.core.geometry import Rect
from app.core.hotspots import Hotspot, NotAHotspot, external_link, page_reference
from app.pdf import pdf_values
from app.pdf.document import PdfDocument
from app.pdf.pdf_syntax import decode_name, parse_integer, parse_reference, split_array
from app.pdf.web_addresses import web_address

MISSING_DESTINATION = "a link to a destination that does not exist"
_NAMED_ACTIONS = ("NextPage", "PrevPage", "FirstPage", "LastPage")


class DestinationResolver:
    """Turns destinations of one document into 1-based page numbers. Build one per pass
    over the document: it remembers the page objects."""

    def __init__(self, doc: PdfDocument) -> None:
        self._doc = doc

    @cached_property
    def _pages_by_xref(self) -> dict[int, int]:
        raw = self._doc.raw
        return {int(raw.page_xref(index)): index + 1 for index in range(raw.page_count)}

    def page_of(self, xref: int, key: str, depth: int = 0) -> int:
        """The 1-based page the destination under ``key`` of object ``xref`` points at: an
        explicit array ([page /XYZ ...]), a name or string of a named destination, or a
        dictionary with /D. Raises NotAHotspot when it points nowhere in this document."""
        kind, text = pdf_values.value(self._doc, xref, key)
        if kind == "array":
            page = self._page_of_array(text)
        elif kind == "xref" and depth < 2:
            # A destination array, or a dictionary with /D, kept as an object of its own.
            target = parse_reference(text)
            inner = self._doc.raw.xref_object(target, compressed=True).lstrip() if target else ""
            if target and inner.startswith("<<"):
                return self.page_of(target, "D", depth + 1)
            page = self._page_of_array(inner) if inner.startswith("[") else None
        elif kind == "dict" and depth < 2:
            return self.page_of(xref, f"{key}/D", depth + 1)
        elif kind in ("name", "string"):
            page = self._page_of_name(decode_name(text) if kind == "name" else text)
        else:
            page = None
        if page is None:
            raise NotAHotspot(MISSING_DESTINATION)
        return page

    def _page_of_array(self, text: str) -> int | None:
        elements = split_array(text)
        if not elements:
            return None
        reference = parse_reference(elements[0])
        if reference is not None:
            return self._pages_by_xref.get(reference)
        # Destinations into other files carry a 0-based page index; some writers use one
        # in a GoTo too.
        index = parse_integer(elements[0])
        if index is not None and 0 <= index < self._doc.page_count:
            return index + 1
        return None

    def _page_of_name(self, name: str) -> int | None:
        # MuPDF looks the name up in /Names /Dests and the older /Dests dictionary; it takes
        # the name percent-encoded, like a URI fragment.
        index, _, _ = self._doc.raw.resolve_link("#nameddest=" + quote(name, safe=""))
        return int(index) + 1 if 0 <= index < self._doc.page_count else None


def link_hotspot(
    doc: PdfDocument, page: int, xref: int, rect: Rect, resolver: DestinationResolver
) -> Hotspot:
    """The hotspot of the /Link annotation ``xref`` on 1-based ``page`` with user-space
    ``rect``: ``external_link`` for a web address, ``page_reference`` for a destination in
    this document. Raises NotAHotspot (the message says why) for anything else."""
    if pdf_values.value(doc, xref, "Dest")[0] != "null":
        return page_reference(page, rect, resolver.page_of(xref, "Dest"))
    action = pdf_values.name(doc, xref, "A/S")
    if action is None:
        raise NotAHotspot("a link without an action or a destination")
    if action == "URI":
        address = pdf_values.text_string(doc, xref, "A/URI")
        if address is None:
            raise NotAHotspot("a link without an address")
        return external_link(page, rect, web_address(address))
    if action == "GoTo":
        return page_reference(page, rect, resolver.page_of(xref, "A/D"))
    if action in ("GoToR", "GoToE"):
        raise NotAHotspot("a link into another PDF file")
    if action == "Launch":
        return external_link(page, rect, _launched_web_address(doc, xref))
    if action == "Named":
        return page_reference(page, rect, _named_action_page(doc, page, xref))
    raise NotAHotspot(f"a link with a /{action} action")


def _launched_web_address(doc: PdfDocument, xref: int) -> str:
    # Some writers "launch" a web address instead of using a URI action.
    for key in ("A/F", "A/F/UF", "A/F/F"):
        target = pdf_values.text_string(doc, xref, key)
        if target and target.strip().lower().startswith(("http://", "https://")):
            return web_address(target)
    raise NotAHotspot("a link that opens a local file")


def _named_action_page(doc: PdfDocument, page: int, xref: int) -> int:
    action = pdf_values.name(doc, xref, "A/N")
    if action not in _NAMED_ACTIONS:
        raise NotAHotspot(f"a link with the viewer action /{action}")
    target = {
        "NextPage": page + 1,
        "PrevPage": page - 1,
        "FirstPage": 1,
        "LastPage": doc.page_count,
    }[action]
    if not 1 <= target <= doc.page_count:
        raise NotAHotspot(MISSING_DESTINATION)
    return target
