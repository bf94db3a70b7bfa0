"""Just enough of the PDF object syntax to take apart the text MuPDF prints for an object
(``Document.xref_get_key``, ``Document.xref_object``) and to write numbers back.

MuPDF prints objects compactly (``[5 0 R<</Type/Annot>>(a\\)b)]``), but files can hold any
valid syntax, so this follows the specification: literal strings with escapes and nested
parentheses, hex strings, dictionaries, arrays, names and comments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

WHITESPACE = "\x00\t\n\x0c\r "
DELIMITERS = "()<>[]{}/%"

_REFERENCE = re.compile(r"(\d+)\s+(\d+)\s+R")
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_NAME_ESCAPE = re.compile(r"#([0-9A-Fa-f]{2})")
_LINE_END = re.compile(r"[\r\n]")


class PdfSyntaxError(ValueError):
    """Text that is not the PDF object it should be."""


def _end_of_literal_string(text: str, start: int) -> int:
    """The index after the literal string that opens at ``start`` ("(")."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise PdfSyntaxError("a string that never ends")


def _end_of_regular(text: str, start: int) -> int:
    index = start
    while index < len(text) and text[index] not in WHITESPACE and text[index] not in DELIMITERS:
        index += 1
    return index


def tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of each token; kind is "open" ([ or <<), "close" (] or >>),
    "string", "name" or "word" (numbers, keywords, the R of a reference). Comments and
    whitespace are skipped. Raises PdfSyntaxError for unterminated strings."""
    index = 0
    while index < len(text):
        char = text[index]
        if char in WHITESPACE:
            index += 1
        elif char == "%":
            newline = _LINE_END.search(text, index)
            index = newline.end() if newline else len(text)
        elif char == "(":
            end = _end_of_literal_string(text, index)
            yield "string", index, end
            index = end
        elif text.startswith("<<", index) or text.startswith(">>", index):
            yield ("open" if char == "<" else "close"), index, index + 2
            index += 2
        elif char == "<":
            end = text.find(">", index)
            if end < 0:
                raise PdfSyntaxError("a hex string that never ends")
            yield "string", index, end + 1
            index = end + 1
        elif char in "[]":
            yield ("open" if char == "[" else "close"), index, index + 1
            index += 1
        elif char == "/":
            end = _end_of_regular(text, index + 1)
            yield "name", index, end
            index = end
        elif char in "{})>":
            # Only PostScript functions use braces, and a stray ) or > is an error a
            # lenient reader skips; keep them as words so nothing is lost.
            yield "word", index, index + 1
            index += 1
        else:
            end = _end_of_regular(text, index)
            yield "word", index, end
            index = end


def split_array(text: str) -> list[str]:
    """The elements of the array printed in ``text`` ("[...]"), each as its own PDF text.
    An indirect reference ("12 0 R") stays one element. Raises PdfSyntaxError when ``text``
    is not exactly one well-formed array."""
    stack: list[str] = []
    raw: list[str] = []
    element_start = 0
    finished = False
    for kind, start, end in tokens(text):
        token = text[start:end]
        if finished:
            raise PdfSyntaxError("text after the end of the array")
        if not stack and token != "[":
            raise PdfSyntaxError("not an array")
        if kind == "open":
            if len(stack) == 1:
                element_start = start
            stack.append("]" if token == "[" else ">>")
        elif kind == "close":
            if not stack or stack.pop() != token:
                raise PdfSyntaxError("unbalanced brackets")
            if len(stack) == 1:
                raw.append(text[element_start:end])
            finished = not stack
        elif len(stack) == 1:
            raw.append(token)
    if not finished:
        raise PdfSyntaxError("an array that never ends")
    return _join_references(raw)


def _join_references(elements: list[str]) -> list[str]:
    joined: list[str] = []
    index = 0
    while index < len(elements):
        window = elements[index : index + 3]
        if len(window) == 3 and window[0].isdigit() and window[1].isdigit() and window[2] == "R":
            joined.append(" ".join(window))
            index += 3
        else:
            joined.append(elements[index])
            index += 1
    return joined


def parse_reference(text: str) -> int | None:
    """The object number of an indirect reference "12 0 R", else None."""
    match = _REFERENCE.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def parse_integer(text: str) -> int | None:
    """The integer ``text`` holds, else None."""
    return int(text) if _INTEGER.fullmatch(text.strip()) else None


def parse_numbers(text: str) -> list[float]:
    """The numbers of an array of numbers ("[1 2.5 -3 .5]"). Raises PdfSyntaxError when an
    element is not a number."""
    numbers = []
    for element in split_array(text):
        if not _NUMBER.fullmatch(element):
            raise PdfSyntaxError(f"{element[:20]!r} is not a number")
        numbers.append(float(element))
    return numbers


def decode_name(text: str) -> str:
    """A name's characters without the slash and with #xx escapes resolved ("/A#20B" -> "A B")."""
    return _NAME_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text.removeprefix("/"))


def format_number(value: float) -> str:
    """``value`` as a PDF real with up to 4 decimals (within 5e-5 of it): no exponent, no
    trailing zeros, no "-0". Raises ValueError for NaN and infinities."""
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written to a PDF")
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_rect(x0: float, y0: float, x1: float, y1: float) -> str:
    """A PDF rectangle array "[x0 y0 x1 y1]"."""
    return "[" + " ".join(format_number(v) for v in (x0, y0, x1, y1)) + "]"


_LITERAL_ESCAPES = str.maketrans(
    {"\\": "\\\\", "(": "\\(", ")": "\\)", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
)


def format_text_string(text: str) -> str:
    """``text`` as a PDF text string that every reader decodes back to the same text: a
    literal string when it is printable ASCII, else UTF-16BE with a byte order mark.

    ``pymupdf.get_pdf_str`` is not used: it writes characters below 256 as single bytes,
    which readers decode as PDFDocEncoding, and that differs from Latin-1 (0x7F-0xA0, 0xAD).
    Raises ValueError for text with lone surrogates.
    """
    if all(" " <= char <= "~" or char in "\n\r\t" for char in text):
        return "(" + text.translate(_LITERAL_ESCAPES) + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"
