"""Hotspots as CSV for a spreadsheet: what export writes imports as the same hotspots, files
a spreadsheet saved import too, and every problem is reported with its line."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest

from app.core.errors import CsvImportError
from app.core.geometry import Rect
from app.core.hotspot_csv import COLUMNS, MAX_ROWS, export_csv, import_csv
from app.core.hotspot_fields import hotspot_properties
from app.core.hotspots import Hotspot, HotspotType

HEADER = ",".join(COLUMNS)


def hotspot(kind: HotspotType, page: int, rect: Rect, /, **fields: Any) -> Hotspot:
    return Hotspot(kind, page, rect, hotspot_properties(kind, fields))


EVERY_TYPE = [
    hotspot(
        HotspotType.PRODUCT,
        1,
        Rect(100, 600.5, 300.125, 700),
        skus=["WP06-29-Black", "WP06-29-Blue", "WP06-29-Red"],
        icon=False,
    ),
    hotspot(
        HotspotType.EXTERNAL_LINK,
        1,
        Rect(-15, -25.75, 30, 40),
        url="https://example.com/embed?a=1,b=2",
        popup=True,
        max_width=640,
        max_height=480.5,
    ),
    hotspot(HotspotType.EXTERNAL_LINK, 2, Rect(1, 2, 3, 4), url="mailto:shop@example.com"),
    hotspot(HotspotType.PAGE_REFERENCE, 2, Rect(400, 700, 500, 780), page=3),
    hotspot(
        HotspotType.IMAGE,
        3,
        Rect(0.001, 0, 599.999, 800),
        source="https://cdn.example.com/a.jpg",
        altText="Ein Hut, größer",
        fillMode="cover",
    ),
    hotspot(
        HotspotType.VIDEO,
        3,
        Rect(300, 300, 500, 450),
        source="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        autoplay=True,
    ),
    hotspot(
        HotspotType.SLIDESHOW,
        4,
        Rect(10, 10, 200, 200),
        images=["https://cdn.example.com/1.jpg", "https://cdn.example.com/2.jpg"],
    ),
]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def problems_of(text: str, page_count: int = 4) -> list[tuple[int, str]]:
    with pytest.raises(CsvImportError) as raised:
        import_csv(text, page_count)
    return raised.value.problems


# --- export -------------------------------------------------------------------------------


def test_export_writes_the_columns_in_order_with_crlf_line_ends() -> None:
    text = export_csv(EVERY_TYPE[:1])
    assert text.split("\r\n")[0] == HEADER
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")


def test_export_puts_the_main_field_of_each_type_in_its_own_column() -> None:
    product, popup, _, reference, image, video, slideshow = rows(export_csv(EVERY_TYPE))
    assert product["skus"] == "WP06-29-Black; WP06-29-Blue; WP06-29-Red"
    assert json.loads(product["data"]) == {"icon": False, "dynamic": True}
    assert popup["url"] == "https://example.com/embed?a=1,b=2"
    assert json.loads(popup["data"]) == {"popup": True, "max_width": 640, "max_height": 480.5}
    assert (reference["target_page"], reference["data"]) == ("3", "")
    assert image["source"] == "https://cdn.example.com/a.jpg"
    assert video["source"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert "provider" not in json.loads(video["data"])
    assert json.loads(slideshow["data"])["images"][1] == "https://cdn.example.com/2.jpg"
    assert slideshow["skus"] == slideshow["url"] == slideshow["source"] == ""


def test_export_writes_user_space_points_to_three_decimals_without_trailing_zeros() -> None:
    spot = hotspot(HotspotType.PAGE_REFERENCE, 1, Rect(-0.0001, 2.5, 10.12349, 700), page=1)
    (row,) = rows(export_csv([spot]))
    assert [row[name] for name in ("x0", "y0", "x1", "y1")] == ["0", "2.5", "10.123", "700"]


def test_export_of_no_hotspots_is_the_header_alone() -> None:
    assert export_csv([]) == HEADER + "\r\n"


# --- round trip ---------------------------------------------------------------------------


def test_export_then_import_gives_the_same_hotspots_of_every_type() -> None:
    imported = import_csv(export_csv(EVERY_TYPE), page_count=4)
    assert imported == EVERY_TYPE
    assert imported[5].properties["provider"] == "youtube"


def test_a_sku_with_a_semicolon_survives_the_round_trip() -> None:
    spot = hotspot(HotspotType.PRODUCT, 1, Rect(1, 1, 9, 9), skus=["A;1", "B"])
    assert import_csv(export_csv([spot]), page_count=1) == [spot]


# --- files edited in a spreadsheet ------------------------------------------------------


def test_a_changed_skus_column_overrides_the_skus_in_data() -> None:
    text = (
        HEADER + "\r\n"
        '1,product,10,20,110,120, NEW-1 ;NEW-2; ,,,,"{""skus"":[""OLD""],""dynamic"":false}"\r\n'
    )
    (spot,) = import_csv(text, page_count=1)
    assert spot.properties == {"skus": ["NEW-1", "NEW-2"], "icon": True, "dynamic": False}


def test_an_empty_convenience_column_leaves_the_field_in_data() -> None:
    text = HEADER + '\n2,external_link,1,1,9,9,,,,,"{""url"":""https://a.test""}"\n'
    (spot,) = import_csv(text, page_count=2)
    assert spot.properties == {"url": "https://a.test", "popup": False}


def test_european_excel_semicolons_decimal_commas_and_a_bom_import() -> None:
    text = (
        "\ufeffpage;type;x0;y0;x1;y1;skus;url;target_page;source;data\r\n"
        '1;product;10,5;20,25;110;120,125;"SKU-1; SKU-2";;;;\r\n'
        "2;page_reference;-5,5;0;30;40;;;1;;\r\n"
    )
    assert import_csv(text, page_count=2) == [
        hotspot(HotspotType.PRODUCT, 1, Rect(10.5, 20.25, 110, 120.125), skus=["SKU-1", "SKU-2"]),
        hotspot(HotspotType.PAGE_REFERENCE, 2, Rect(-5.5, 0, 30, 40), page=1),
    ]


def test_columns_in_another_order_any_case_and_unknown_columns_import() -> None:
    text = (
        "Notes,Y1,X1,Type,URL,Page,y0,x0\n"
        "check the price,700,300,external_link,https://a.test/x,3,600,100\n"
    )
    assert import_csv(text, page_count=3) == [
        hotspot(HotspotType.EXTERNAL_LINK, 3, Rect(100, 600, 300, 700), url="https://a.test/x")
    ]


def test_rectangle_corners_may_come_in_any_order() -> None:
    text = HEADER + "\n1,page_reference,300,700,100,600,,,1,,\n"
    assert import_csv(text, page_count=1)[0].rect == Rect(100, 600, 300, 700)


def test_empty_rows_a_spreadsheet_leaves_behind_are_skipped() -> None:
    text = HEADER + "\n\n1,page_reference,1,1,9,9,,,1,,\n,,,,,,,,,,\n , \n"
    assert len(import_csv(text, page_count=1)) == 1


@pytest.mark.parametrize("text", ["", "\ufeff", "  \r\n", HEADER, HEADER + "\r\n"])
def test_an_empty_file_or_a_header_alone_imports_nothing(text: str) -> None:
    assert import_csv(text, page_count=1) == []


def test_type_names_may_use_capitals() -> None:
    text = HEADER + "\n1,Page_Reference,1,1,9,9,,,1,,\n"
    assert import_csv(text, page_count=1)[0].type is HotspotType.PAGE_REFERENCE


# --- problems -----------------------------------------------------------------------------


def test_a_missing_required_column_is_reported_on_line_1() -> None:
    assert problems_of("page,type,x0,y0,x1\n1,product,1,1,9\n") == [
        (1, "the header lacks the column 'y1'")
    ]
    assert problems_of("page,kind\n") == [
        (1, "the header lacks the columns 'type', 'x0', 'y0', 'x1', 'y1'")
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x,product,1,1,9,9,A,,,,", "'page' is not a whole number"),
        (",product,1,1,9,9,A,,,,", "'page' is empty"),
        ("5,product,1,1,9,9,A,,,,", "'page' 5 is not a page of the document (1 to 4)"),
        ("0,product,1,1,9,9,A,,,,", "'page' 0 is not a page of the document (1 to 4)"),
        (
            "1,coupon,1,1,9,9,A,,,,",
            "'type' 'coupon' is not one of external_link, page_reference, video, image, "
            "slideshow, product",
        ),
        ("1,,1,1,9,9,A,,,,", "'type' is empty"),
        ("1,product,one,1,9,9,A,,,,", "'x0' is not a number"),
        ("1,product,1,,9,9,A,,,,", "'y0' is empty"),
        ("1,product,1,1,nan,9,A,,,,", "'x1' is not a finite number"),
        ("1,product,1,1,9,1,A,,,,", "the rectangle has no area (x0 equals x1 or y0 equals y1)"),
        ("1,product,1,1,9,9,,,,,", "'skus' is required"),
        ("1,product,1,1,9,9,;,,,,", "'skus' must be a SKU or a non-empty list of SKUs"),
        ("1,external_link,1,1,9,9,,ftp://a.test,,,", "'url' must be a URL starting with"),
        ("1,page_reference,1,1,9,9,,,two,,", "'target_page' must be a page number (1 or more)"),
        ("1,page_reference,1,1,9,9,,,7,,", "'target_page' 7 is not a page of the document"),
        ("1,video,1,1,9,9,,,,,", "'source' is required"),
        ("1,product,1,1,9,9,A,,,,{oops", "'data' is not valid JSON"),
        ("1,product,1,1,9,9,A,,,,[1]", "'data' is not a JSON object ({...})"),
        ('1,product,1,1,9,9,A,,,,"{""icon"":""maybe""}"', "'icon' must be true or false"),
        (
            '1,external_link,1,1,9,9,,https://a.test,,,"{""max_width"":-3}"',
            "'max_width' must be a positive number",
        ),
    ],
)
def test_each_problem_is_reported_with_its_line(row: str, message: str) -> None:
    ((line, found),) = problems_of(f"{HEADER}\n1,page_reference,1,1,9,9,,,1,,\n{row}\n")
    assert line == 3
    assert found.startswith(message)


def test_all_problems_are_collected_and_nothing_is_imported() -> None:
    text = (
        HEADER + "\n"
        "1,page_reference,1,1,9,9,,,1,,\n"
        "1,product,x,1,9,9,,,,,\n"
        '1,product,1,1,9,9,"A\nB",,,,\n'  # a quoted cell over two lines
        "9,image,1,1,9,9,,,,,\n"
    )
    assert problems_of(text) == [
        (3, "'x0' is not a number"),
        (3, "'skus' is required"),
        (6, "'page' 9 is not a page of the document (1 to 4)"),
        (6, "'source' is required"),
    ]


def test_the_message_lists_the_first_ten_problems() -> None:
    text = HEADER + "\n" + "1,product,x,1,9,9,A,,,,\n" * 12
    with pytest.raises(CsvImportError) as raised:
        import_csv(text, page_count=1)
    lines = str(raised.value).splitlines()
    assert lines[0] == "Line 2: 'x0' is not a number"
    assert lines[9] == "Line 11: 'x0' is not a number"
    assert lines[10:] == ["… and 2 more problems"]
    assert len(raised.value.problems) == 12


def test_decimal_commas_are_numbers_only_with_semicolons() -> None:
    text = HEADER + '\n1,page_reference,"1,5",1,9,9,,,1,,\n'
    assert problems_of(text) == [(2, "'x0' is not a number")]


def test_more_than_the_maximum_rows_is_refused() -> None:
    text = HEADER + "\r\n" + "1,page_reference,1,1,9,9,,,1,,\r\n" * (MAX_ROWS + 1)
    assert problems_of(text) == [(MAX_ROWS + 2, "the file has more than 100,000 hotspots")]


def test_text_the_csv_reader_cannot_read_is_a_problem_not_a_crash() -> None:
    text = HEADER + "\n1,product,1,1,9,9,A,,,," + "x" * 200_000 + "\n"
    ((line, message),) = problems_of(text)
    assert line == 2 and message.startswith("the file is not readable as CSV")


def test_the_error_survives_pickling() -> None:
    import pickle

    error = CsvImportError([(4, "'x0' is not a number")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems and str(copy) == "Line 4: 'x0' is not a number"


# --- speed --------------------------------------------------------------------------------


def test_ten_thousand_rows_import_in_well_under_a_second() -> None:
    hotspots = [
        hotspot(
            HotspotType.PRODUCT, 1 + n % 50, Rect(n % 500, 10, n % 500 + 20, 40), skus=[f"S{n}"]
        )
        for n in range(10_000)
    ]
    text = export_csv(hotspots)
    started = time.perf_counter()
    imported = import_csv(text, page_count=50)
    assert time.perf_counter() - started < 2
    assert imported == hotspots
