"""Typed values of keys in PDF objects, read from the raw objects by object number (xref).

Keys may be paths through dictionaries ("A/S" is /S of the dictionary under /A), as
``pymupdf.Document.xref_get_key`` allows; it follows indirect references along the way.
"""

from __future__ import annotations

from pymupdf import mupdf

from app.core.geometry import Rect
from app.pdf.document import PdfDocument
from app.pdf.pdf_syntax import (
    PdfSyntaxError,
    decode_name,
    parse_numbers,
    parse_reference,
    split_array,
)


def value(doc: PdfDocument, xref: int, key: str) -> tuple[str, str]:
    """(kind, PDF text) of ``key``: kind is "null" when missing, else one of PyMuPDF's
    "name", "string", "array", "dict", "int", "float", "bool", "xref"."""
    kind, text = doc.raw.xref_get_key(xref, key)
    return str(kind), str(text)


def name(doc: PdfDocument, xref: int, key: str) -> str | None:
    """The name under ``key`` without its slash ("Link"), or None when it is not a name."""
    kind, text = value(doc, xref, key)
    return decode_name(text) if kind == "name" else None


def text_string(doc: PdfDocument, xref: int, key: str) -> str | None:
    """The (decoded) text string under ``key``, or None when it is not a string."""
    kind, text = value(doc, xref, key)
    if kind == "string":
        return text
    target = parse_reference(text) if kind == "xref" else None
    if target is None:
        return None
    # xref_get_key does not follow a reference at the end of the path; MuPDF's own string
    # decoding (UTF-16 with BOM, UTF-8, PDFDocEncoding) does.
    pdf = mupdf.pdf_document_from_fz_document(doc.raw.this)
    obj = mupdf.pdf_load_object(pdf, target)
    return str(mupdf.pdf_to_text_string(obj)) if mupdf.pdf_is_string(obj) else None


def array_elements(doc: PdfDocument, xref: int, key: str) -> list[str] | None:
    """The elements of the array under ``key`` (also behind a reference), or None when it is
    not an array. Raises PdfSyntaxError for a malformed array."""
    kind, text = value(doc, xref, key)
    if kind == "xref":
        target = parse_reference(text)
        text = doc.raw.xref_object(target, compressed=True) if target is not None else ""
        kind = "array" if text.lstrip().startswith("[") else kind
    return split_array(text) if kind == "array" else None


def rect(doc: PdfDocument, xref: int, key: str = "Rect") -> Rect:
    """The rectangle under ``key`` exactly as stored (PDF user space, corners in any order,
    normalised). Raises PdfSyntaxError when it is not four numbers spanning an area."""
    elements = array_elements(doc, xref, key)
    if elements is None:
        raise PdfSyntaxError(f"no /{key} array")
    numbers = parse_numbers("[" + " ".join(elements) + "]")
    if len(numbers) != 4:
        raise PdfSyntaxError(f"/{key} has {len(numbers)} numbers, not 4")
    spanned = Rect.spanning(*numbers)
    if spanned.width <= 0 or spanned.height <= 0:
        raise PdfSyntaxError(f"/{key} spans no area")
    return spanned
