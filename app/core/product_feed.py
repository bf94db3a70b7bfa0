"""Product feeds (Google Merchant Center style), read one item at a time.

Three formats, told apart by content, never by file name (the first bytes that aren't
whitespace, after an optional UTF-8 byte order mark: ``<`` means XML, anything else a table;
XML may also be UTF-16 with a byte order mark, or a single-byte encoding its declaration
names; multi-byte legacy encodings such as Shift_JIS are refused):

- RSS 2.0 with the ``g:`` namespace (``http://base.google.com/ns/1.0``): ``<rss><channel>``
  holding ``<item>`` elements with ``g:id``, ``title`` or ``g:title``, ``description`` or
  ``g:description``, ``link`` or ``g:link``, ``g:image_link``, ``g:price``,
  ``g:availability`` and ``g:brand``.
- Atom (``<feed xmlns="http://www.w3.org/2005/Atom">``) holding ``<entry>`` elements with
  the same ``g:`` fields, ``title``, ``summary``/``content``/``g:description`` and
  ``<link href="..."/>`` (rel ``alternate`` or none) or ``g:link``.
- CSV or TSV in UTF-8 with a header row; the delimiter (tab, comma or semicolon) is the one
  the header uses most. Header names are matched without regard to case, a ``g:`` prefix or
  spaces for underscores: ``id`` or ``sku`` (``sku`` wins when both are there), ``title``,
  ``description``, ``link`` or ``url``, ``image_link`` or ``image_url``, ``price``,
  ``availability`` and ``brand``. The SKU and title columns are required.

Where an item has a field twice (``g:title`` and ``title``), the ``g:`` one wins.

``iter_feed`` streams: XML goes through ``defusedxml``'s ``iterparse`` and each finished
item is cleared and detached from the tree, a table through ``csv.reader`` on a text
wrapper, so memory stays flat whatever the feed's length. It yields a ``FeedItem`` for each
usable item and a ``FeedItemError`` for each item it can't use, and raises ``FeedError``
when the feed as a whole can't be used. Duplicate SKUs are not this module's business: the
importer decides which of them wins and counts the others. A feed without items is not an
error here either; it yields nothing.

XML entity declarations, and with them entity expansion bombs ("billion laughs") and
external entities (XXE), are refused outright: a product feed never needs them.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_etree
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from app.core.errors import FolioError

MAX_SKU_LENGTH = 200
"""The longest SKU accepted, in characters."""
MAX_ITEM_FIELDS = 500
"""Child elements of one item kept for reading; any more are dropped as they end."""

GOOGLE_NS = "http://base.google.com/ns/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"

_G = f"{{{GOOGLE_NS}}}"
_A = f"{{{ATOM_NS}}}"
_BOM = codecs.BOM_UTF8
_WHITESPACE = b" \t\r\n\f\v"
_HEAD_SIZE = 64 * 1024
_MAX_LINE = 1_000_000
"""The longest line of a table, in characters: a line this long is not a product row."""


@dataclass(frozen=True)
class FeedItem:
    """One usable product of a feed; optional fields the feed leaves empty are None."""

    sku: str
    title: str
    description: str | None
    url: str | None
    image_url: str | None
    price: str | None
    """As the feed gives it, such as ``19.99 EUR``."""
    availability: str | None
    brand: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "sku": self.sku,
            "title": self.title,
            "description": self.description,
            "url": self.url,
            "image_url": self.image_url,
            "price": self.price,
            "availability": self.availability,
            "brand": self.brand,
        }


@dataclass(frozen=True)
class FeedItemError:
    """An item of a feed that can't be used; the other items still can."""

    position: int
    """1-based number of the item in the feed; for a table, its row not counting the header."""
    sku: str | None
    """The item's SKU when it has a usable one."""
    reason: str
    """What is wrong, in words: ``missing g:id``, ``title is empty``, ..."""


class FeedError(FolioError):
    """A feed that can't be used at all; the message says why in words."""


# --- one item's fields, whatever the format

_FIELDS = ("sku", "title", "description", "url", "image_url", "price", "availability", "brand")

Raw = dict[str, tuple[str, str | None]]
"""Field name -> (the name the feed gives it, its text or None when the feed lacks it)."""


_WEB_URL = re.compile(
    r"https?://"
    r"(?:[^/?#@\s]*@)?"  # user info
    r"(?:\[[0-9a-f:.]+\]|[^/?#:@\[\]\s]+)"  # host: a name or address, or an IPv6 address
    r"(?::\d*)?"  # port
    r"(?:[/?#][^\s]*)?",
    re.IGNORECASE,
)
"""An absolute http(s) URL with a host, no whitespace or control characters in it."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_web_url(value: str) -> bool:
    return _WEB_URL.fullmatch(value) is not None and not _CONTROL.search(value)


def _item(position: int, raw: Raw) -> FeedItem | FeedItemError:
    """The item made of ``raw``'s fields, or what is wrong with them."""
    values: dict[str, str | None] = {}
    for field in _FIELDS:
        text = raw[field][1]
        text = text.strip() if text is not None else None
        values[field] = text or None
    problems: list[str] = []
    sku_label, sku_text = raw["sku"]
    sku = values["sku"]
    if sku_text is None:
        problems.append(f"missing {sku_label}")
    elif sku is None:
        problems.append(f"{sku_label} is empty")
    elif len(sku) > MAX_SKU_LENGTH:
        problems.append(f"{sku_label} is longer than {MAX_SKU_LENGTH} characters")
        sku = None
    title_label, title_text = raw["title"]
    if title_text is None:
        problems.append(f"missing {title_label}")
    elif values["title"] is None:
        problems.append(f"{title_label} is empty")
    for field in ("url", "image_url"):
        url = values[field]
        if url is not None and not _is_web_url(url):
            problems.append(f"{raw[field][0]} is not an http(s) URL")
    if problems:
        return FeedItemError(position, sku, "; ".join(problems))
    return FeedItem(
        sku=values["sku"] or "",
        title=values["title"] or "",
        description=values["description"],
        url=values["url"],
        image_url=values["image_url"],
        price=values["price"],
        availability=values["availability"],
        brand=values["brand"],
    )


# --- XML: RSS 2.0 and Atom

_XML_FIELDS = {
    # field -> the tags that give it, first found wins, and the name a message uses for each
    "rss": {
        "sku": [(f"{_G}id", "g:id")],
        "title": [(f"{_G}title", "g:title"), ("title", "title")],
        "description": [(f"{_G}description", "g:description"), ("description", "description")],
        "url": [(f"{_G}link", "g:link"), ("link", "link")],
        "image_url": [(f"{_G}image_link", "g:image_link")],
        "price": [(f"{_G}price", "g:price")],
        "availability": [(f"{_G}availability", "g:availability")],
        "brand": [(f"{_G}brand", "g:brand")],
    },
    "atom": {
        "sku": [(f"{_G}id", "g:id")],
        "title": [(f"{_G}title", "g:title"), (f"{_A}title", "title")],
        "description": [
            (f"{_G}description", "g:description"),
            (f"{_A}summary", "summary"),
            (f"{_A}content", "content"),
        ],
        "url": [(f"{_G}link", "g:link"), (f"{_A}link", "link")],
        "image_url": [(f"{_G}image_link", "g:image_link")],
        "price": [(f"{_G}price", "g:price")],
        "availability": [(f"{_G}availability", "g:availability")],
        "brand": [(f"{_G}brand", "g:brand")],
    },
}


def _text(element: Element) -> str:
    if len(element) == 0:
        return element.text or ""
    return "".join(element.itertext())


def _xml_item(position: int, item: Element, kind: str) -> FeedItem | FeedItemError:
    texts: dict[str, str] = {}
    for child in item:
        tag = child.tag
        if not isinstance(tag, str) or tag in texts:
            continue
        if tag == f"{_A}link":
            # Atom: the entry's own page is the link with rel "alternate" or none.
            if child.get("rel", "alternate") == "alternate":
                texts[tag] = child.get("href") or ""
            continue
        texts[tag] = _text(child)
    raw: Raw = {}
    for field, candidates in _XML_FIELDS[kind].items():
        # The first candidate with text; an empty one only when none has text.
        found: tuple[str, str | None] | None = None
        for tag, label in candidates:
            text = texts.get(tag)
            if text is None:
                continue
            if text.strip():
                found = (label, text)
                break
            if found is None:
                found = (label, text)
        raw[field] = found or (candidates[-1][1], None)
    return _item(position, raw)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_problem(error: ParseError, skipped: bytes) -> str:
    """``error`` in words, its line and column counted in the whole file."""
    line, column = getattr(error, "position", (0, 0))
    reason = re.sub(r":? *line \d+, column \d+$", "", str(error)).strip() or "invalid XML"
    if line:
        if line == 1:
            column += len(skipped) - (skipped.rfind(b"\n") + 1)
        line += skipped.count(b"\n")
        return f"the feed is not valid XML: {reason} at line {line}, column {column + 1}"
    return f"the feed is not valid XML: {reason}"


def _iter_xml(file: BinaryIO, skipped: bytes) -> Iterator[FeedItem | FeedItemError]:
    kind = ""
    item_depth = 0
    item_tag = ""
    stack: list[Element] = []
    in_item = False
    fields = 0
    position = 0
    events = safe_etree.iterparse(
        file,
        events=("start", "end"),
        forbid_dtd=False,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        for event, element in events:
            if event == "start":
                stack.append(element)
                depth = len(stack)
                if depth == 1:
                    if element.tag == "rss":
                        kind, item_depth, item_tag = "rss", 3, "item"
                    elif element.tag == f"{_A}feed":
                        kind, item_depth, item_tag = "atom", 2, f"{_A}entry"
                    else:
                        raise FeedError(
                            "the file is XML but not an RSS or Atom feed: its root element "
                            f"is <{_local(element.tag)}>"
                        )
                elif depth == item_depth and element.tag == item_tag:
                    in_item = kind == "atom" or stack[1].tag == "channel"
                    fields = 0
                continue
            depth = len(stack)
            stack.pop()
            if depth == 1:
                continue
            if depth == item_depth and in_item:
                in_item = False
                position += 1
                yield _xml_item(position, element, kind)
            elif in_item and depth == item_depth + 1 and fields < MAX_ITEM_FIELDS:
                # A field of the item being read; cleared with it. (Counted here: the parser
                # runs ahead, so the item may already hold children that haven't ended yet.)
                fields += 1
                continue
            # Anything else is done with (deeper markup and fields past the cap inside an
            # item are never read): the tree never holds more than the current item's fields.
            element.clear()
            stack[-1].remove(element)
    except ParseError as error:
        raise FeedError(_xml_problem(error, skipped)) from None
    except EntitiesForbidden:
        raise FeedError("the feed declares XML entities, which Folio refuses for safety") from None
    except ExternalReferenceForbidden:
        raise FeedError(
            "the feed refers to an external XML entity or DTD, which Folio refuses for safety"
        ) from None
    except DefusedXmlException:
        raise FeedError("the feed uses XML features that Folio refuses for safety") from None
    except (LookupError, ValueError) as error:
        # An encoding the XML declaration names but Python doesn't know, and the like.
        raise FeedError(f"the feed is not valid XML: {error}") from None


# --- CSV and TSV

_COLUMNS = {
    # field -> header names that give it, the first present wins
    "sku": ("sku", "id"),
    "title": ("title",),
    "description": ("description",),
    "url": ("link", "url"),
    "image_url": ("image_link", "image_url"),
    "price": ("price",),
    "availability": ("availability",),
    "brand": ("brand",),
}
_REQUIRED = {"sku": "id (or sku)", "title": "title"}
_DELIMITERS = "\t,;"


def _column_key(name: str) -> str:
    key = name.strip().lower()
    key = key.removeprefix("g:").strip()
    return re.sub(r"[\s_]+", "_", key)


def _columns(header: list[str]) -> dict[str, tuple[int, str]]:
    """Field -> (column index, the header's name for it); raises FeedError when a required
    column is missing."""
    keys: dict[str, int] = {}
    for index, name in enumerate(header):
        keys.setdefault(_column_key(name), index)
    columns: dict[str, tuple[int, str]] = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if name in keys:
                index = keys[name]
                columns[field] = (index, header[index].strip() or name)
                break
    missing = [label for field, label in _REQUIRED.items() if field not in columns]
    if missing:
        listed = ", ".join(name.strip() for name in header if name.strip())[:200]
        plural = "s" if len(missing) > 1 else ""
        raise FeedError(
            f"the feed has no {' and no '.join(missing)} column{plural} in its header row "
            f"(its columns: {listed or 'none'})"
        )
    return columns


def _bad_utf8(file: BinaryIO) -> tuple[int, int, int] | None:
    """(byte offset, line, byte) of the first byte of ``file`` that isn't valid UTF-8."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = newlines = 0
    while True:
        chunk = file.read(_HEAD_SIZE)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            bad = offset - pending + error.start
            before = chunk[: max(0, bad - offset)]
            return bad, newlines + before.count(b"\n") + 1, error.object[error.start]
        if not chunk:
            return None
        offset += len(chunk)
        newlines += chunk.count(b"\n")


def _lines(text: io.TextIOWrapper, first_line: int) -> Iterator[str]:
    number = first_line
    while True:
        line = text.readline(_MAX_LINE + 1)
        if not line:
            return
        if len(line) > _MAX_LINE:
            raise FeedError(
                f"line {number} of the feed is longer than {_MAX_LINE:,} characters: "
                "it is not a table of products"
            )
        number += 1
        yield line


def _iter_table(file: BinaryIO) -> Iterator[FeedItem | FeedItemError]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
    skipped = 0
    try:
        lines = _lines(text, 1)
        header_line = ""
        for line in lines:
            if line.strip():
                header_line = line
                break
            skipped += 1
        delimiter = max(_DELIMITERS, key=header_line.count)
        rows: Iterable[str] = itertools.chain([header_line], _lines(text, skipped + 2))
        reader = csv.reader(rows, delimiter=delimiter)
        try:
            header = next(reader)
            columns = _columns(header)
            for position, row in enumerate(reader, start=1):
                if not any(cell.strip() for cell in row):
                    continue
                raw: Raw = {}
                for field in _FIELDS:
                    if field in columns:
                        index, name = columns[field]
                        raw[field] = (name, row[index] if index < len(row) else "")
                    else:
                        raw[field] = (field, None)
                yield _item(position, raw)
        except csv.Error as error:
            line = skipped + reader.line_num
            raise FeedError(f"line {line} of the feed is not a valid table row: {error}") from None
    except UnicodeDecodeError:
        found = _bad_utf8(file)
        where = f" (byte {found[2]:#04x} at offset {found[0]}, line {found[1]})" if found else ""
        raise FeedError(
            f"the feed is not UTF-8 text{where}: save it as UTF-8 and try again"
        ) from None
    finally:
        text.detach()


# --- telling the formats apart


def _start(file: BinaryIO) -> tuple[bytes, bytes]:
    """The feed's first bytes that aren't whitespace (up to 64 KiB), and the bytes before
    them (a byte order mark and whitespace); both empty for an empty feed."""
    skipped = b""
    while True:
        chunk = file.read(_HEAD_SIZE)
        if not chunk:
            return b"", skipped
        if not skipped and chunk.startswith(_BOM):
            skipped, chunk = _BOM, chunk[len(_BOM) :]
        content = chunk.lstrip(_WHITESPACE)
        skipped += chunk[: len(chunk) - len(content)]
        if content:
            return content, skipped


_NOT_FEEDS = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel or OpenDocument spreadsheet?)"),
    (b"\xd0\xcf\x11\xe0", "an Office document (an old Excel spreadsheet?)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{", "JSON"),
)


def _is_xml(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The XML parser reads UTF-16 with a byte order mark; a table must be UTF-8.
        return head[:64].decode("utf-16", errors="replace").lstrip().startswith("<")
    return head.startswith(b"<")


def _refuse_non_feeds(head: bytes) -> None:
    """Raises FeedError when the feed's first bytes show it isn't one."""
    if not head:
        raise FeedError("the feed is empty")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _is_xml(head):
            return
        raise FeedError("the feed is UTF-16 text: save it as UTF-8 and try again")
    lowered = head[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        raise FeedError("the file is an HTML page, not a product feed")
    for signature, what in _NOT_FEEDS:
        if head.startswith(signature):
            raise FeedError(f"the file is {what}, not a product feed")
    if b"\x00" in head[:4096]:
        raise FeedError("the file is binary data, not a product feed")


def iter_feed(path: str | os.PathLike[str]) -> Iterator[FeedItem | FeedItemError]:
    """The items of the product feed at ``path``, one at a time, in feed order.

    Yields a FeedItem for each usable item and a FeedItemError for each item that can't be
    used (no SKU or title, a link that isn't http(s), ...). Raises FeedError, possibly after
    yielding some items, when the feed as a whole can't be used: unreadable, empty, neither
    RSS, Atom nor a table with SKU and title columns, malformed XML, XML that declares
    entities, text that isn't UTF-8. Duplicate SKUs are yielded as they come: telling which
    one wins is the importer's business.
    """
    try:
        file = open(path, "rb")  # noqa: SIM115 (closed below, also when abandoned)
    except OSError as error:
        raise FeedError(f"can't read the feed: {error.strerror or error}") from None
    try:
        with file:
            head, skipped = _start(file)
            _refuse_non_feeds(head)
            if _is_xml(head):
                # Past whitespace before an XML declaration, which XML doesn't allow but
                # generators write; a byte order mark alone stays, it names the encoding.
                whitespace = skipped.removeprefix(_BOM)
                file.seek(len(skipped) if whitespace else 0)
                yield from _iter_xml(file, whitespace)
            else:
                file.seek(0)
                yield from _iter_table(file)
    except OSError as error:
        raise FeedError(f"can't read the feed: {error.strerror or error}") from None
