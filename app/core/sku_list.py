"""The SKUs of a product catalogue file, for checking product hotspots against it.

Accepted for now: CSV or TSV with a header row that has a ``sku``, ``id`` or ``g:id`` column
(any case; Google Merchant feeds exported as sheets use ``id`` or ``g:id``), or plain text
with one SKU per line. RSS and Atom product feeds come with the product-feeds work.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from app.core.errors import FolioError

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
    names = [name.strip().lower() for name in header]
    for wanted in SKU_COLUMNS:
        if wanted in names:
            return names.index(wanted)
    return None


def load_catalogue_skus(path: str | os.PathLike[str]) -> set[str]:
    """The SKUs listed in the catalogue file at ``path``, stripped, blanks dropped.

    A first line with a comma, tab or semicolon is read as a CSV/TSV header and must name a
    ``sku``, ``id`` or ``g:id`` column; otherwise every non-blank line is one SKU. Raises
    CatalogueError when the file can't be read or a table has no SKU column.
    """
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
