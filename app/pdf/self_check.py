"""PyMuPDF's part of ``folio self-test``: make a one-page PDF and draw it."""

from __future__ import annotations

import pymupdf

from app.pdf.document import PdfDocument
from app.pdf.render import ImageFormat, render_page

SAMPLE_TEXT = "Folio self-test"


def sample_pdf() -> bytes:
    """A one-page A4 PDF with a line of text and a filled box."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 96), SAMPLE_TEXT, fontsize=24)
    page.draw_rect(pymupdf.Rect(72, 120, 300, 240), color=(0.1, 0.3, 0.6), fill=(0.1, 0.3, 0.6))
    data = bytes(doc.tobytes())
    doc.close()
    return data


def check_rendering() -> str:
    """Open the sample PDF and draw its page; what worked, as a line. Raises on failure."""
    with PdfDocument.open(sample_pdf()) as doc:
        page = render_page(doc, 1, 200, ImageFormat.PNG)
    if not page.data.startswith(b"\x89PNG") or (page.width, page.height) != (200, 283):
        raise RuntimeError(f"the page came out wrong ({page.width} x {page.height})")
    return f"PyMuPDF {pymupdf.__version__} (MuPDF {pymupdf.mupdf_version}): a page drawn, {page.width} x {page.height} px"
