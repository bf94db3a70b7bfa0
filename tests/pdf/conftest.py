"""Real PDFs for the app.pdf tests: built here with PyMuPDF from raw objects (so every box,
rotation and annotation is exactly what a test says), and the shared corpus of files from
other projects' test suites."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from app.pdf.document import PdfDocument

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

Box = tuple[float, float, float, float]
_PAGE_PLACEHOLDER = re.compile(r"@page(\d+)")


def corpus_file(name: str) -> Path:
    """A file of the shared corpus; the test is skipped when the corpus is not there."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} is not available at {CORPUS}")
    return path


def text_at(x: float, y: float, text: str, size: float = 12) -> str:
    """Content-stream operators that draw ``text`` in Helvetica with its baseline starting
    at user-space (x, y)."""
    return f"BT /helv {size} Tf {x} {y} Td {pymupdf.get_pdf_str(text)} Tj ET\n"


def filled_rect(x0: float, y0: float, x1: float, y1: float, rgb: str = "1 0 0") -> str:
    """Content-stream operators that fill the user-space rectangle with a colour."""
    return f"{rgb} rg {x0} {y0} {x1 - x0} {y1 - y0} re f\n"


def text_annotation(rect: Box, contents: str) -> str:
    """A /Text (sticky note) annotation dictionary with raw /Rect and Contents."""
    return (
        f"<</Type/Annot/Subtype/Text/Rect[{' '.join(map(str, rect))}]"
        f"/Contents{pymupdf.get_pdf_str(contents)}>>"
    )


def json_note(rect: Box, data: dict[str, Any]) -> str:
    return text_annotation(rect, json.dumps(data))


def uri_link(rect: Box, uri: str) -> str:
    return (
        f"<</Type/Annot/Subtype/Link/Rect[{' '.join(map(str, rect))}]"
        f"/A<</S/URI/URI{pymupdf.get_pdf_str(uri)}>>>>"
    )


def goto_link(rect: Box, destination: str, *, action: bool = True) -> str:
    """A /Link to ``destination`` (PDF text: "[@page2 /Fit]", "/name", "(name)"), through
    a GoTo action or a /Dest key. ``@pageN`` stands for page N's object."""
    key = f"/A<</S/GoTo/D {destination}>>" if action else f"/Dest {destination}"
    return f"<</Type/Annot/Subtype/Link/Rect[{' '.join(map(str, rect))}]{key}>>"


@dataclass
class PageSpec:
    """One page: boxes in user space, clockwise /Rotate, a content stream in user space,
    and annotation dictionaries (PDF text; ``@pageN`` names page N's object) written as
    indirect objects (``annots``) or inline in /Annots (``direct_annots``) after them."""

    mediabox: Box = (0, 0, 600, 800)
    cropbox: Box | None = None
    rotation: int = 0
    content: str = ""
    annots: Sequence[str] = ()
    direct_annots: Sequence[str] = ()
    extra: dict[str, str] = field(default_factory=dict)


def build_pdf(
    pages: Sequence[PageSpec],
    *,
    named_destinations: dict[str, int] | None = None,
    legacy_destinations: dict[str, int] | None = None,
) -> bytes:
    """A PDF made of ``pages``; named destinations (name -> 1-based page) go into the
    catalogue's /Names /Dests tree, legacy ones into its /Dests dictionary."""
    doc = pymupdf.open()
    page_xrefs = []
    for spec in pages:
        page = doc.new_page()
        page.insert_font(fontname="helv")
        page_xrefs.append(page.xref)
        if spec.content:
            stream = doc.get_new_xref()
            doc.update_object(stream, "<<>>")
            doc.update_stream(stream, spec.content.encode("latin-1"))
            doc.xref_set_key(page.xref, "Contents", f"{stream} 0 R")

    def resolve(text: str) -> str:
        return _PAGE_PLACEHOLDER.sub(lambda m: f"{page_xrefs[int(m.group(1)) - 1]} 0 R", text)

    for spec, page_xref in zip(pages, page_xrefs, strict=True):
        doc.xref_set_key(page_xref, "MediaBox", f"[{' '.join(map(str, spec.mediabox))}]")
        if spec.cropbox is not None:
            doc.xref_set_key(page_xref, "CropBox", f"[{' '.join(map(str, spec.cropbox))}]")
        doc.xref_set_key(page_xref, "Rotate", str(spec.rotation))
        elements = []
        for annot in spec.annots:
            xref = doc.get_new_xref()
            doc.update_object(xref, resolve(annot))
            elements.append(f"{xref} 0 R")
        elements += [resolve(annot) for annot in spec.direct_annots]
        if elements:
            doc.xref_set_key(page_xref, "Annots", "[" + " ".join(elements) + "]")
        for key, value in spec.extra.items():
            doc.xref_set_key(page_xref, key, resolve(value))
    catalog = doc.pdf_catalog()
    if named_destinations:
        pairs = " ".join(
            f"{pymupdf.get_pdf_str(name)} [{page_xrefs[page - 1]} 0 R /Fit]"
            for name, page in sorted(named_destinations.items())
        )
        doc.xref_set_key(catalog, "Names", f"<</Dests<</Names[{pairs}]>>>>")
    if legacy_destinations:
        entries = " ".join(
            f"/{name} [{page_xrefs[page - 1]} 0 R /Fit]"
            for name, page in legacy_destinations.items()
        )
        doc.xref_set_key(catalog, "Dests", f"<<{entries}>>")
    data = doc.tobytes()
    doc.close()
    return bytes(data)


OpenPdf = Callable[..., PdfDocument]


@pytest.fixture
def open_pdf() -> Iterator[OpenPdf]:
    """Open PDF bytes or paths as PdfDocument; all are closed after the test."""
    opened: list[PdfDocument] = []

    def opener(source: bytes | Path | str, **options: Any) -> PdfDocument:
        doc = PdfDocument.open(source, **options)
        opened.append(doc)
        return doc

    yield opener
    for doc in opened:
        doc.close()
