"""A document's hotspots as CSV, for bulk work in a spreadsheet, and back.

Columns: ``page, type, x0, y0, x1, y1, skus, url, target_page, source, data``. The rectangle
is in the page's PDF user space (points, origin bottom-left), as the PDF stores it. The
convenience columns hold the field a designer edits most for each type (a product's SKUs
joined with "; ", a link's URL, a page reference's target page, an image's or video's
source); ``data`` holds the other properties as compact JSON.

Import reads what export writes and what spreadsheets make of it: a UTF-8 byte order mark,
";" as the delimiter with decimal commas (European Excel), columns in any order.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

from app.core.errors import CsvImportError, ValidationError
from app.core.geometry import Rect
from app.core.hotspot_fields import hotspot_properties, parse_hotspot_type
from app.core.hotspots import Hotspot, HotspotType

COLUMNS = ("page", "type", "x0", "y0", "x1", "y1", "skus", "url", "target_page", "source", "data")
REQUIRED_COLUMNS = ("page", "type", "x0", "y0", "x1", "y1")
MAX_ROWS = 100_000
SKU_SEPARATOR = "; "
COORDINATE_DECIMALS = 3

# The property each convenience column stands for, by hotspot type.
_CONVENIENCE: dict[HotspotType, tuple[str, str]] = {
    HotspotType.PRODUCT: ("skus", "skus"),
    HotspotType.EXTERNAL_LINK: ("url", "url"),
    HotspotType.PAGE_REFERENCE: ("target_page", "page"),
    HotspotType.IMAGE: ("source", "source"),
    HotspotType.VIDEO: ("source", "source"),
}
# Worked out from the source on import, so not worth a spreadsheet's attention.
_DERIVED = {HotspotType.VIDEO: ("provider", "video_id")}


def export_csv(hotspots: Sequence[Hotspot]) -> str:
    """The hotspots as CSV text with a header row and "\\r\\n" line ends (what Excel and
    LibreOffice expect); the caller writes it as UTF-8. Coordinates are rounded to 3
    decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for hotspot in hotspots:
        writer.writerow(_row(hotspot))
    return out.getvalue()


def _number(value: float) -> str:
    text = f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _row(hotspot: Hotspot) -> list[str]:
    rest = dict(hotspot.properties)
    for name in _DERIVED.get(hotspot.type, ()):
        rest.pop(name, None)
    cells = dict.fromkeys(("skus", "url", "target_page", "source"), "")
    column, name = _CONVENIENCE.get(hotspot.type, ("", ""))
    value = rest.get(name)
    if hotspot.type is HotspotType.PRODUCT:
        # A SKU with the separator in it stays in ``data``, where it survives the trip back.
        if isinstance(value, list) and not any(";" in str(sku) for sku in value):
            cells[column] = SKU_SEPARATOR.join(str(sku) for sku in value)
            del rest[name]
    elif column and value is not None:
        cells[column] = str(value)
        del rest[name]
    r = hotspot.rect
    return [
        str(hotspot.page),
        hotspot.type.value,
        *(_number(v) for v in (r.x0, r.y0, r.x1, r.y1)),
        *cells.values(),
        json.dumps(rest, ensure_ascii=False, separators=(",", ":")) if rest else "",
    ]


def import_csv(text: str, page_count: int) -> list[Hotspot]:
    """The hotspots in CSV ``text`` (as ``export_csv`` writes it, or as a spreadsheet saved
    it) for a document of ``page_count`` pages, in row order.

    The header names the columns (any order, any case; unknown ones are ignored; ``page``,
    ``type`` and ``x0``..``y1`` are required). Rectangles are PDF user space in points,
    corners in any order. A non-empty convenience column overrides the same field in
    ``data``. Properties are validated and their defaults filled in as everywhere else.
    An empty file or a header alone gives no hotspots. Raises ``CsvImportError`` listing
    every problem with its line number (nothing is imported), also for more than
    100,000 rows.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return []
    # The header names no column with a comma or a semicolon in it, so whichever it has
    # more of separates the columns.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = _numbered_rows(text, delimiter)
    header = next(rows, None)
    if header is None:
        return []
    columns = _columns(header[1])
    parser = _RowParser(columns, page_count, decimal_comma=delimiter == ";")
    hotspots: list[Hotspot] = []
    problems: list[tuple[int, str]] = []
    count = 0
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave empty rows behind
        count += 1
        if count > MAX_ROWS:
            problems.append((line, f"the file has more than {MAX_ROWS:,} hotspots"))
            raise CsvImportError(problems)
        hotspot, row_problems = parser.parse(cells)
        problems.extend((line, message) for message in row_problems)
        if hotspot is not None:
            hotspots.append(hotspot)
    if problems:
        raise CsvImportError(problems)
    return hotspots


def _numbered_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on (a quoted cell may span lines). Raises
    CsvImportError for text the csv module can't read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvImportError([(line, f"the file is not readable as CSV ({error})")]) from None
        yield line, cells


def _columns(header: list[str]) -> dict[str, int]:
    """Column name (lower case) -> index; the first of repeated names wins. Raises
    CsvImportError when a required column is missing."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(name.strip().lower(), index)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        raise CsvImportError(
            [(1, f"the header lacks the column{'s' * (len(missing) > 1)} {names}")]
        )
    return columns


class _RowParser:
    """Turns one row's cells into a hotspot, or the problems it has."""

    def __init__(self, columns: dict[str, int], page_count: int, *, decimal_comma: bool) -> None:
        self.columns = columns
        self.page_count = page_count
        self.decimal_comma = decimal_comma

    def cell(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def parse(self, cells: list[str]) -> tuple[Hotspot | None, list[str]]:
        problems: list[str] = []
        page = self.page(cells, problems)
        kind = self.hotspot_type(cells, problems)
        numbers = [self.coordinate(cells, name, problems) for name in ("x0", "y0", "x1", "y1")]
        corners = [number for number in numbers if number is not None]
        rect = None
        if len(corners) == 4:
            rect = Rect.spanning(*corners)
            if rect.width <= 0 or rect.height <= 0:
                problems.append("the rectangle has no area (x0 equals x1 or y0 equals y1)")
        data = self.data(cells, problems)
        properties = None
        if kind is not None and data is not None:
            properties = self.properties(kind, cells, data, problems)
        if problems or page is None or kind is None or rect is None or properties is None:
            return None, problems
        return Hotspot(kind, page, rect, properties), problems

    def page(self, cells: list[str], problems: list[str]) -> int | None:
        text = self.cell(cells, "page")
        if not text:
            problems.append("'page' is empty")
            return None
        try:
            number = int(text)
        except ValueError:
            problems.append("'page' is not a whole number")
            return None
        if not 1 <= number <= self.page_count:
            problems.append(
                f"'page' {number} is not a page of the document (1 to {self.page_count})"
            )
            return None
        return number

    def hotspot_type(self, cells: list[str], problems: list[str]) -> HotspotType | None:
        text = self.cell(cells, "type")
        if not text:
            problems.append("'type' is empty")
            return None
        try:
            return parse_hotspot_type(text.lower())
        except ValidationError:
            known = ", ".join(t.value for t in HotspotType)
            problems.append(f"'type' {text!r} is not one of {known}")
            return None

    def coordinate(self, cells: list[str], name: str, problems: list[str]) -> float | None:
        text = self.cell(cells, name)
        if not text:
            problems.append(f"'{name}' is empty")
            return None
        if self.decimal_comma:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            problems.append(f"'{name}' is not a number")
            return None
        if not math.isfinite(value):
            problems.append(f"'{name}' is not a finite number")
            return None
        return value

    def data(self, cells: list[str], problems: list[str]) -> dict[str, Any] | None:
        text = self.cell(cells, "data")
        if not text:
            return {}
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            problems.append("'data' is not valid JSON")
            return None
        if not isinstance(data, dict):
            problems.append("'data' is not a JSON object ({...})")
            return None
        return data

    def properties(
        self, kind: HotspotType, cells: list[str], data: dict[str, Any], problems: list[str]
    ) -> dict[str, Any] | None:
        column, name = _CONVENIENCE.get(kind, ("", ""))
        value = self.cell(cells, column) if column else ""
        if value and kind is HotspotType.PRODUCT:
            skus = value.split(SKU_SEPARATOR.strip())
            data = {**data, name: [sku.strip() for sku in skus if sku.strip()]}
        elif value:
            data = {**data, name: value}
        try:
            properties = hotspot_properties(kind, data)
        except ValidationError as error:
            for field, messages in error.errors.items():
                shown = column if field == name and column else field
                problems.extend(f"'{shown}' {message}" for message in messages)
            return None
        target = properties.get("page") if kind is HotspotType.PAGE_REFERENCE else None
        if target is not None and target > self.page_count:
            problems.append(
                f"'{column}' {target} is not a page of the document (1 to {self.page_count})"
            )
            return None
        return properties
