"""Raw page pixels for interactive display (the hotspot editor's canvas): the whole displayed
page at any scale, or only a region of it for drawing the visible part at high zoom.

No encoding: the editor wraps the samples in an image at once, and at 800 px MuPDF draws a
page in a few milliseconds while a JPEG round trip would add several more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pymupdf

from app.pdf.document import PdfDocument
from app.pdf.render import draw_pixmap, load_page, refuse_too_large

Clip = tuple[float, float, float, float]

# MuPDF keeps coordinates in 32-bit floats: a clip edge that lands within this much of a
# pixel edge is taken to be on it, so a clip given in whole pixels yields exactly those.
_EDGE_TOLERANCE = 1e-3


@dataclass(frozen=True)
class PagePixels:
    """An RGB888 image without alpha: ``height`` rows of ``stride`` bytes, each starting with
    ``width`` pixels of three bytes. ``x`` and ``y`` (pixels) place it within the image of
    the whole displayed page at the same scale: 0, 0 unless it was drawn for a clip."""

    width: int
    height: int
    stride: int
    samples: bytes
    x: int = 0
    y: int = 0


def page_pixel_size(page_width: float, page_height: float, scale: float) -> tuple[int, int]:
    """The pixel size of a displayed page ``page_width`` x ``page_height`` points drawn at
    ``scale`` pixels per point: each side rounded, at least one pixel."""
    return max(1, round(page_width * scale)), max(1, round(page_height * scale))


def render_pixels(
    doc: PdfDocument, page: int, scale: float, clip: Clip | None = None
) -> PagePixels:
    """The 1-based page as it is displayed (CropBox, /Rotate honoured; annotations not
    drawn) at ``scale`` pixels per point, as RGB888.

    The whole page is ``page_pixel_size(*doc.page_size(page), scale)`` pixels (each axis is
    scaled to whole pixels, as ``render_page`` does). ``clip`` (x0, y0, x1, y1) is a region
    of the displayed page in points from its top-left corner; only the pixels of the whole
    page's image that it touches are drawn (its edges snapped outwards to whole pixels and
    cut to the page), identical to the same pixels of the whole page, at ``x``, ``y``.

    Raises ValueError for a page that does not exist, a scale that is not a positive number
    or a clip that misses the page, and InvalidPdfError ("damaged" when MuPDF cannot load or
    draw the page, "too_large" when the pixels drawn would exceed MAX_PIXELS).
    """
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale < math.inf:
        raise ValueError(f"a scale must be a positive number of pixels per point, not {scale!r}")
    pdf_page = load_page(doc, page)
    bounds = pdf_page.rect  # the displayed page, origin top-left, as MuPDF draws it
    full_width, full_height = page_pixel_size(bounds.width, bounds.height, scale)
    # Scale each axis to whole pixels so MuPDF's rounding cannot add a column or row.
    scale_x, scale_y = full_width / bounds.width, full_height / bounds.height
    if clip is None:
        x0, y0, x1, y1 = 0, 0, full_width, full_height
    else:
        x0, y0, x1, y1 = _clip_pixels(clip, scale_x, scale_y, full_width, full_height)
    refuse_too_large(page, x1 - x0, y1 - y0, f"Page {page} is too large to be drawn at this zoom.")
    pixmap = draw_pixmap(
        lambda **options: pdf_page.get_pixmap(annots=False, **options),
        page,
        matrix=pymupdf.Matrix(scale_x, scale_y),
        clip=pymupdf.Rect(x0 / scale_x, y0 / scale_y, x1 / scale_x, y1 / scale_y),
    )
    if (pixmap.x, pixmap.y, pixmap.width, pixmap.height) != (x0, y0, x1 - x0, y1 - y0):
        # Never seen: the clip is made of whole pixels; a rounding surprise is a bug here.
        raise RuntimeError(f"page {page}: MuPDF drew {tuple(pixmap.irect)}, not {(x0, y0, x1, y1)}")
    return PagePixels(pixmap.width, pixmap.height, pixmap.stride, bytes(pixmap.samples_mv), x0, y0)


def _clip_pixels(
    clip: Clip, scale_x: float, scale_y: float, full_width: int, full_height: int
) -> tuple[int, int, int, int]:
    """The whole pixels (x0, y0, x1, y1; end exclusive) of the page's image that ``clip``
    (points) touches, cut to the page. Raises ValueError when none are left."""
    if len(clip) != 4 or not all(math.isfinite(value) for value in clip):
        raise ValueError(f"a clip is four finite numbers (x0, y0, x1, y1), not {clip!r}")
    cx0, cy0, cx1, cy1 = clip
    x0 = max(0, math.floor(min(cx0, cx1) * scale_x + _EDGE_TOLERANCE))
    y0 = max(0, math.floor(min(cy0, cy1) * scale_y + _EDGE_TOLERANCE))
    x1 = min(full_width, math.ceil(max(cx0, cx1) * scale_x - _EDGE_TOLERANCE))
    y1 = min(full_height, math.ceil(max(cy0, cy1) * scale_y - _EDGE_TOLERANCE))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"the clip {clip!r} does not cover any of the page")
    return x0, y0, x1, y1


def displayed_page_size(doc: PdfDocument, page: int) -> tuple[float, float]:
    """Width and height in points of the 1-based page as ``render_pixels`` draws it (CropBox,
    /Rotate). Raises ValueError for a page that does not exist and InvalidPdfError
    "damaged" for one MuPDF cannot load."""
    bounds = load_page(doc, page).rect
    return float(bounds.width), float(bounds.height)
