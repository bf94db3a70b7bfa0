"""Page images: the displayed page (CropBox, /Rotate) without annotations, as JPEG or PNG.

Annotations are left out because hotspot carriers (links, sticky notes) must not show in a
page image. MuPDF rasterises; Pillow encodes, because MuPDF's JPEG encoder takes 50-90 ms
for an 800 px page that renders in 2-3 ms (Pillow: about 4 ms).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pymupdf
from PIL import Image

from app.core.errors import InvalidPdfError
from app.pdf.document import MUPDF_ERRORS, PdfDocument

logger = logging.getLogger(__name__)

DEFAULT_WIDTH = 800
THUMBNAIL_WIDTH = 200
JPEG_QUALITY = 85
# zlib level 1: as fast as MuPDF's PNG writer (about 26 ms for an 800 px page, mostly
# filtering) and a third faster than Pillow's default level 6, for files 4 % larger.
PNG_COMPRESS_LEVEL = 1
MAX_WIDTH = 10_000
# A guard against pages drawn a few points wide and metres tall (about 150 MB of RGB).
MAX_PIXELS = 50_000_000


class ImageFormat(StrEnum):
    JPEG = "jpeg"
    PNG = "png"


@dataclass(frozen=True)
class RenderedPage:
    """An encoded page image; width and height in pixels."""

    data: bytes
    width: int
    height: int
    format: ImageFormat


PixmapSource = Callable[..., pymupdf.Pixmap]


def damaged_message(page: int) -> str:
    return f"Page {page} of the PDF is damaged and could not be drawn."


def refuse_too_large(page: int, width: int, height: int, message: str) -> None:
    """Raise InvalidPdfError "too_large" with ``message`` when a ``width`` x ``height`` pixel
    image would exceed MAX_PIXELS."""
    if width * height > MAX_PIXELS:
        raise InvalidPdfError("too_large", message)


def load_page(doc: PdfDocument, page: int) -> pymupdf.Page:
    """The 1-based page. Raises ValueError for a page that does not exist and InvalidPdfError
    "damaged" for one MuPDF cannot load (a page tree that claims more pages than it holds)."""
    index = doc.check_page(page)
    try:
        return doc.raw.load_page(index)
    except MUPDF_ERRORS as error:
        logger.info("page %d could not be loaded: %s", page, error)
        raise InvalidPdfError("damaged", damaged_message(page)) from None


def draw_pixmap(source: PixmapSource, page: int, **options: Any) -> pymupdf.Pixmap:
    """``source`` (a page's or display list's ``get_pixmap``) drawn in RGB without alpha;
    MuPDF's failures become InvalidPdfError "damaged"."""
    try:
        return source(colorspace=pymupdf.csRGB, alpha=False, **options)
    except MUPDF_ERRORS as error:
        logger.info("page %d could not be drawn: %s", page, error)
        raise InvalidPdfError("damaged", damaged_message(page)) from None


def _pixel_size(page: int, bounds: pymupdf.Rect, width: int) -> tuple[int, int]:
    if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"an image width must be a whole number from 1 to {MAX_WIDTH}")
    height = max(1, round(bounds.height * width / bounds.width))
    refuse_too_large(
        page, width, height, f"Page {page} is too tall for its width to be drawn as an image."
    )
    return width, height


def _rasterise(source: PixmapSource, page: int, bounds: pymupdf.Rect, width: int) -> Image.Image:
    """Draw the displayed page ``bounds`` (origin top-left) exactly ``width`` pixels wide."""
    pixel_width, pixel_height = _pixel_size(page, bounds, width)
    # Scale each axis to whole pixels so MuPDF's rounding cannot add a column or row.
    matrix = pymupdf.Matrix(pixel_width / bounds.width, pixel_height / bounds.height)
    pixmap = draw_pixmap(source, page, matrix=matrix)
    # Pillow unpacks RGB into its own memory (it maps only modes like L and RGBA), so the
    # image outlives the pixmap safely.
    image = Image.frombuffer(
        "RGB", (pixmap.width, pixmap.height), pixmap.samples_mv, "raw", "RGB", pixmap.stride, 1
    )
    if image.size != (pixel_width, pixel_height):
        logger.warning("page %d: MuPDF drew %s, not %s", page, image.size, (width, pixel_height))
        image = image.resize((pixel_width, pixel_height), Image.Resampling.BILINEAR)
    return image


def _encode(image: Image.Image, image_format: ImageFormat) -> RenderedPage:
    buffer = io.BytesIO()
    if image_format is ImageFormat.JPEG:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return RenderedPage(buffer.getvalue(), image.width, image.height, ImageFormat(image_format))


def render_page(
    doc: PdfDocument,
    page: int,
    width: int = DEFAULT_WIDTH,
    image_format: ImageFormat = ImageFormat.JPEG,
) -> RenderedPage:
    """The 1-based page as it is displayed (CropBox, /Rotate), ``width`` pixels wide, the
    height in proportion (rounded), RGB without alpha and without annotations.

    Raises ValueError for a page that does not exist or a width outside 1..MAX_WIDTH, and
    InvalidPdfError ("damaged" when MuPDF cannot draw the page, "too_large" when the image
    would exceed MAX_PIXELS).
    """
    pdf_page = load_page(doc, page)
    image = _rasterise(
        lambda **options: pdf_page.get_pixmap(annots=False, **options),
        page,
        pdf_page.rect,
        width,
    )
    return _encode(image, ImageFormat(image_format))


def render_page_and_thumbnail(
    doc: PdfDocument,
    page: int,
    width: int = DEFAULT_WIDTH,
    image_format: ImageFormat = ImageFormat.JPEG,
    thumbnail_width: int = THUMBNAIL_WIDTH,
) -> tuple[RenderedPage, RenderedPage]:
    """The page image and a thumbnail (both as ``render_page`` would draw them, in one
    format). The page is interpreted once into a display list that MuPDF then draws at both
    sizes: measured faster than two renders or a Pillow downscale, and sharper than the
    latter. Raises as ``render_page``."""
    pdf_page = load_page(doc, page)
    try:
        display_list = pdf_page.get_displaylist(annots=False)
    except MUPDF_ERRORS as error:
        logger.info("page %d could not be interpreted: %s", page, error)
        raise InvalidPdfError("damaged", damaged_message(page)) from None
    bounds = pdf_page.rect
    full = _rasterise(display_list.get_pixmap, page, bounds, width)
    thumbnail = _rasterise(display_list.get_pixmap, page, bounds, thumbnail_width)
    return _encode(full, ImageFormat(image_format)), _encode(thumbnail, ImageFormat(image_format))
