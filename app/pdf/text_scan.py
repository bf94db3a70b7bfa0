"""Hotspots found in a page's text: web and e-mail addresses, and catalogue SKUs.

These serve the ``links`` and ``products`` extraction options: pages often print an address
or an article number without an annotation over it. Words are MuPDF's (split at spaces). An
address that breaks at a line end after "-", "/" and the like is joined with the start of the
next line; one that breaks after a "." is cut there, because a sentence ends the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass

from app.core.geometry import Rect
from app.core.hotspots import Hotspot, HotspotType, NotAHotspot
from app.pdf import pdf_values
from app.pdf.annotation_array import annotation_xrefs
from app.pdf.document import MUPDF_ERRORS, PdfDocument
from app.pdf.pdf_syntax import PdfSyntaxError
from app.pdf.web_addresses import EMAIL, web_address

logger = logging.getLogger(__name__)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:", re.IGNORECASE)
# Brackets and quotes, typographic guillemets and curly quotes included.
_LEADING = "([{<\"'\u00ab\u201c\u2018"
_TRAILING = ".,;:!?)]}>\"'\u00bb\u201d\u2019"
_CLOSING = {")": "(", "]": "[", "}": "{"}
# A link whose /Rect cannot be read (PdfSyntaxError is a ValueError) just doesn't count.
_UNUSABLE_LINK_ERRORS: tuple[type[Exception], ...] = (*MUPDF_ERRORS, ValueError)
# A word counts as already linked when a /Link overlaps it over this share of its height.
LINE_SHARE = 0.5
MAX_ADDRESS_LINES = 4
# Characters after which an address at a line end goes on at the start of the next line.
_CONTINUED = ("-", "/", "_", "=", "&", "?", "#", "~", "%")


def _trim(word: str) -> str:
    """``word`` without the punctuation around it, keeping a closing bracket that closes
    one inside the word ("https://en.wikipedia.org/wiki/Foo_(bar)")."""
    word = word.lstrip(_LEADING)
    while word and word[-1] in _TRAILING:
        opening = _CLOSING.get(word[-1])
        if opening and word.count(opening) >= word.count(word[-1]):
            break
        word = word[:-1]
    return word


@dataclass(frozen=True)
class _Word:
    text: str
    rect: Rect
    """PDF user space (points, origin bottom-left)."""
    line: tuple[int, int]
    """(block, line) as MuPDF numbers them."""
    first_in_line: bool


def _words(doc: PdfDocument, page: int) -> list[_Word]:
    """The words of the 1-based page in reading order, boxes in user space."""
    crop = doc.page_box(page).crop
    pdf_page = doc.raw[doc.check_page(page)]
    words = []
    # Word boxes are unrotated, relative to the CropBox's top-left corner, y down.
    for x0, y0, x1, y1, text, block, line, number in pdf_page.get_text("words"):
        rect = Rect.spanning(x0 + crop.x0, crop.y1 - y0, x1 + crop.x0, crop.y1 - y1)
        words.append(_Word(text, rect, (block, line), number == 0))
    return words


def _same_line_overlap(word: Rect, link: Rect) -> bool:
    """Whether ``link`` covers part of ``word`` on the word's own line: a link box that only
    grazes the line above or below does not count."""
    width = min(word.x1, link.x1) - max(word.x0, link.x0)
    height = min(word.y1, link.y1) - max(word.y0, link.y0)
    return width > 0 and height >= LINE_SHARE * word.height


def _link_rects(doc: PdfDocument, page: int) -> list[Rect]:
    rects = []
    try:
        xrefs = annotation_xrefs(doc, page)
    except PdfSyntaxError:
        return []
    for xref in xrefs:
        try:
            if pdf_values.name(doc, xref, "Subtype") == "Link":
                rects.append(pdf_values.rect(doc, xref))
        except _UNUSABLE_LINK_ERRORS as error:
            logger.debug("page %d, object %d: link without a usable rect: %s", page, xref, error)
    return rects


def _address(word: str) -> str | None:
    """The address a word names (http://..., mailto:...), or None."""
    if _URL.fullmatch(word) or EMAIL.fullmatch(word) or _MAILTO.match(word):
        try:
            return web_address(word)
        except NotAHotspot:
            return None
    return None


def _address_pieces(words: list[_Word], start: int) -> list[_Word]:
    """The word at ``start`` and the words that continue it on the next lines when it
    breaks at a line end after a character that cannot end an address ("-", "/", ...)."""
    pieces = [words[start]]
    while len(pieces) < MAX_ADDRESS_LINES and pieces[-1].text.endswith(_CONTINUED):
        index = start + len(pieces)
        if index >= len(words):
            break
        following, block_line = words[index], pieces[-1].line
        if not following.first_in_line or following.line != (block_line[0], block_line[1] + 1):
            break
        pieces.append(following)
    return pieces


def find_links(doc: PdfDocument, page: int, *, icons: bool = True) -> list[Hotspot]:
    """External-link hotspots for web addresses (``http(s)://...``, ``www....``, which
    gets ``http://``) and e-mail addresses (which get ``mailto:``) in the 1-based page's
    text, in reading order. Rects are word boxes in PDF user space (points, origin
    bottom-left); an address broken across lines gives one hotspot per line, all with the
    whole address. Addresses that a /Link annotation covers already are skipped.
    Properties: ``{"url", "popup": False, "icon": icons}``. Raises ValueError for a page
    that does not exist."""
    words = _words(doc, page)
    links = _link_rects(doc, page)
    found = []
    index = 0
    while index < len(words):
        pieces, address = _address_pieces(words, index), None
        # The longest run of pieces that reads as an address wins.
        while pieces and address is None:
            address = _address(_trim("".join(piece.text for piece in pieces)))
            if address is None:
                pieces = pieces[:-1]
        if address is None:
            index += 1
            continue
        index += len(pieces)
        if any(_same_line_overlap(p.rect, link) for p in pieces for link in links):
            continue
        for piece in pieces:
            properties = {"url": address, "popup": False, "icon": icons}
            found.append(Hotspot(HotspotType.EXTERNAL_LINK, page, piece.rect, properties))
    return found


def find_skus(
    doc: PdfDocument, page: int, skus: Collection[str], *, icons: bool = True
) -> list[Hotspot]:
    """Product hotspots for words of the 1-based page's text that equal a catalogue SKU
    (exactly, or once the punctuation around them is stripped), in reading order. Rects are
    word boxes in PDF user space. A SKU containing spaces can't match a single word.
    Properties: ``{"skus": [sku], "icon": icons, "dynamic": True}``. Raises ValueError for a
    page that does not exist."""
    catalogue = {sku.strip() for sku in skus if sku and sku.strip()}
    if not catalogue:
        doc.check_page(page)
        return []
    found = []
    for word in _words(doc, page):
        sku = word.text if word.text in catalogue else _trim(word.text)
        if sku in catalogue:
            properties = {"skus": [sku], "icon": icons, "dynamic": True}
            found.append(Hotspot(HotspotType.PRODUCT, page, word.rect, properties))
    return found
