"""Real PDFs built with PyMuPDF for tests: annotations are written as raw PDF objects so their
/Rect is exactly what the test says (user space, origin bottom-left)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pymupdf


@dataclass
class PageSpec:
    width: float = 600
    height: float = 800
    rotation: int = 0
    crop: tuple[float, float, float, float] | None = None
    """CropBox in user space."""
    text: str = ""
    links: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)
    """(rect, url) /Link URI annotations."""
    goto: list[tuple[tuple[float, float, float, float], int]] = field(default_factory=list)
    """(rect, 1-based target page) /Link GoTo annotations."""
    notes: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)
    """(rect, contents) /Text annotations."""


def product_note(sku: str | list[str], **extra: Any) -> str:
    return json.dumps({"type": "product", "sku": sku, **extra})


def _rect(rect: tuple[float, float, float, float]) -> str:
    return "[" + " ".join(f"{v:g}" for v in rect) + "]"


def build_pdf(pages: list[PageSpec]) -> bytes:
    doc = pymupdf.open()
    for spec in pages:
        page = doc.new_page(width=spec.width, height=spec.height)
        page.insert_text((40, 60), spec.text or f"Page {page.number + 1}", fontsize=14)
        page.draw_rect(pymupdf.Rect(40, 100, 200, 200), color=(0.8, 0.1, 0.1), fill=(0.8, 0.1, 0.1))
    for number, spec in enumerate(pages):
        page = doc[number]
        refs: list[str] = []
        for rect, url in spec.links:
            xref = doc.get_new_xref()
            doc.update_object(
                xref,
                f"<< /Type /Annot /Subtype /Link /Rect {_rect(rect)} /Border [0 0 0] "
                f"/A << /S /URI /URI {pymupdf.get_pdf_str(url)} >> >>",
            )
            refs.append(f"{xref} 0 R")
        for rect, target in spec.goto:
            xref = doc.get_new_xref()
            doc.update_object(
                xref,
                f"<< /Type /Annot /Subtype /Link /Rect {_rect(rect)} /Border [0 0 0] "
                f"/Dest [{doc[target - 1].xref} 0 R /Fit] >>",
            )
            refs.append(f"{xref} 0 R")
        for rect, contents in spec.notes:
            xref = doc.get_new_xref()
            doc.update_object(
                xref,
                f"<< /Type /Annot /Subtype /Text /Rect {_rect(rect)} "
                f"/Contents {pymupdf.get_pdf_str(contents)} /Name /Comment >>",
            )
            refs.append(f"{xref} 0 R")
        if refs:
            doc.xref_set_key(page.xref, "Annots", "[" + " ".join(refs) + "]")
        if spec.crop is not None:
            doc.xref_set_key(page.xref, "CropBox", _rect(spec.crop))
        if spec.rotation:
            doc.xref_set_key(page.xref, "Rotate", str(spec.rotation))
    return doc.tobytes()


def catalogue_pdf() -> bytes:
    """Three pages: a link and a product note on page 1, a rotated page 2 referring to page 3,
    a cropped page 3 with a sticky note that is not a hotspot and a URL in its text."""
    return build_pdf(
        [
            PageSpec(
                links=[((100, 600, 300, 650), "https://example.com/spring")],
                notes=[((150, 450, 350, 500), product_note("WP06-29-Black"))],
            ),
            PageSpec(rotation=90, goto=[((50, 50, 150, 100), 3)]),
            PageSpec(
                crop=(20, 30, 580, 780),
                text="Order at www.folio-shop.test today",
                notes=[((300, 300, 340, 340), "just a comment")],
            ),
        ]
    )


def plain_pdf(page_count: int, width: float = 595, height: float = 842) -> bytes:
    return build_pdf([PageSpec(width=width, height=height) for _ in range(page_count)])


ZERO_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R /Size 3 >>\n%%EOF\n"
)
