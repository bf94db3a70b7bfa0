"""Taking apart the PDF text MuPDF prints, and writing numbers and strings back."""

from __future__ import annotations

import pymupdf
import pytest

from app.pdf.pdf_syntax import (
    PdfSyntaxError,
    decode_name,
    format_number,
    format_text_string,
    parse_numbers,
    parse_reference,
    split_array,
)


def test_compact_array_from_mupdf_splits_into_references_and_dicts() -> None:
    text = "[5 0 R<</Type/Annot/A<</S/URI/URI(x)>>>>12 0 R<</Rect[1 2 3 4]>>]"
    assert split_array(text) == [
        "5 0 R",
        "<</Type/Annot/A<</S/URI/URI(x)>>>>",
        "12 0 R",
        "<</Rect[1 2 3 4]>>",
    ]


def test_strings_with_escapes_and_nested_parentheses_stay_whole() -> None:
    text = r"[(a\)b) (nested (x) ok) (back\\) <48656C6C6F> (]>> % no comment)]"
    assert split_array(text) == [
        r"(a\)b)",
        "(nested (x) ok)",
        r"(back\\)",
        "<48656C6C6F>",
        "(]>> % no comment)",
    ]


def test_comments_names_numbers_and_keywords() -> None:
    text = "[ /Name#20X 1 -2.5 .5 % a comment ]\n true null [1 [2]] ]"
    assert split_array(text) == ["/Name#20X", "1", "-2.5", ".5", "true", "null", "[1 [2]]"]


def test_only_two_integers_followed_by_r_make_a_reference() -> None:
    assert split_array("[1 0 2 0 R 3]") == ["1", "0", "2 0 R", "3"]
    assert split_array("[1 2 3 4]") == ["1", "2", "3", "4"]
    assert split_array("[7 0 R 8 0 R]") == ["7 0 R", "8 0 R"]


@pytest.mark.parametrize(
    "text", ["", "<< /A 1 >>", "[1 2", "[(open]", "[1]]", "[<< ]", "[1] 2", "[<abc]"]
)
def test_malformed_arrays_raise_syntax_errors(text: str) -> None:
    with pytest.raises(PdfSyntaxError):
        split_array(text)


def test_parse_numbers_and_references() -> None:
    assert parse_numbers("[1 2.5 -3 .5]") == [1, 2.5, -3, 0.5]
    with pytest.raises(PdfSyntaxError):
        parse_numbers("[1 /Two]")
    assert parse_reference(" 12 0 R ") == 12
    assert parse_reference("12 0") is None


def test_names_lose_their_slash_and_escapes() -> None:
    assert decode_name("/chapter#20two") == "chapter two"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (-0.00001, "0"),
        (12.34567, "12.3457"),
        (-20.5, "-20.5"),
        (1e-9, "0"),
        (123456789.0, "123456789"),
    ],
)
def test_numbers_are_written_without_exponent_or_trailing_zeros(value: float, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_cannot_be_written(value: float) -> None:
    with pytest.raises(ValueError):
        format_number(value)


@pytest.mark.parametrize(
    "text", ["plain", "a(b)c\\d\n\r\t", "\x7f\x80\xad é", "漢字 😀", "", "nul\x00inside"]
)
def test_text_strings_read_back_the_same_in_mupdf(text: str) -> None:
    doc = pymupdf.open()
    doc.new_page()
    xref = doc.get_new_xref()
    doc.update_object(xref, f"<</V {format_text_string(text)}>>")
    assert doc.xref_get_key(xref, "V") == ("string", text)
