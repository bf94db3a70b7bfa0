"""The SKUs of a product catalogue file, for checking product hotspots against it.

Accepted: an RSS or Atom product feed (any file whose first non-blank character is ``<``;
read by ``app.core.product_feed``, and only the SKUs of the items it can use count), CSV or
TSV with a header row that has a ``sku``, ``id`` or ``g:id`` column (any case, a ``g:``
prefix or not; Google Merchant feeds exported as sheets use ``id`` or ``g:id``), or plain
text with one SKU per line.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path

from app.core.errors import FolioError
from app.core.product_feed import FeedError, FeedItem, iter_feed

SKU_COLUMNS = ("sku", "id", "g:id")
"""Header names that hold the SKU, in order of preference."""
_DELIMITERS = ",\t;"


class CatalogueError(FolioError):
    """A catalogue file that can't be read; the message says why."""


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogueError(f"can't read the catalogue {path}: {error.strerror}") from None
    # Spreadsheet programs write a byte order mark; older ones write Windows-1252.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _sku_column(header: list[str]) -> int | None:
    names = [name.strip().lower().removeprefix("g:").strip() for name in header]
    for wanted in SKU_COLUMNS:
        if wanted.removeprefix("g:") in names:
            return names.index(wanted.removeprefix("g:"))
    return None


def _is_xml(path: Path) -> bool:
    """Whether the file's first character that isn't blank (after a byte order mark) is
    ``<``: how product feeds tell XML from tables, whatever the file's name."""
    try:
        with path.open("rb") as file:
            chunk = file.read(65536).removeprefix(codecs.BOM_UTF8)
            while chunk:
                if start := chunk.lstrip():
                    return start.startswith(b"<")
                chunk = file.read(65536)
    except OSError as error:
        raise CatalogueError(f"can't read the catalogue {path}: {error.strerror}") from None
    return False


def _feed_skus(path: Path) -> set[str]:
    try:
        return {item.sku for item in iter_feed(path) if isinstance(item, FeedItem)}
    except FeedError as error:
        raise CatalogueError(f"the catalogue {path.name} can't be used: {error}") from None


def load_catalogue_skus(path: str | os.PathLike[str]) -> set[str]:
    """The SKUs listed in the catalogue file at ``path``, stripped, blanks dropped.

    An XML file is read as an RSS or Atom product feed: the SKUs of its usable items (see
    ``iter_feed``). Otherwise a first line with a comma, tab or semicolon is read as a
    CSV/TSV header and must name a ``sku``, ``id`` or ``g:id`` column; failing that, every
    non-blank line is one SKU. Raises CatalogueError when the file can't be read, a feed
    can't be used or a table has no SKU column.
    """
    if _is_xml(Path(path)):
        return _feed_skus(Path(path))
    text = _read_text(Path(path))
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not any(delimiter in first for delimiter in _DELIMITERS):
        skus = {line.strip() for line in lines if line.strip()}
        # A one-column table is a list with a header line.
        if first.strip().lower() in SKU_COLUMNS:
            skus.discard(first.strip())
        return skus
    delimiter = max(_DELIMITERS, key=first.count)
    try:
        # The whole text, not its lines: a quoted field may hold a line break.
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]
    except csv.Error as error:
        message = f"the catalogue {Path(path).name} is not a valid table: {error}"
        raise CatalogueError(message) from None
    header, body = rows[0], rows[1:]
    column = _sku_column(header)
    if column is None:
        raise CatalogueError(
            f"the catalogue {Path(path).name} has no column named sku, id or g:id "
            f"(its columns: {', '.join(name.strip() for name in header)[:200]})"
        )
    return {row[column].strip() for row in body if len(row) > column and row[column].strip()}
