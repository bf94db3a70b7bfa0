"""Page images for the replacement preview, drawn on the PyMuPDF thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from app.core.geometry import PageBox


def _image(path: Path, page: int, scale: float) -> tuple[QImage, PageBox]:
    from app.pdf.document import PdfDocument
    from app.pdf.page_pixels import render_pixels

    with PdfDocument.open(path, in_memory=False) as doc:
        pixels = render_pixels(doc, page, scale)
        box = doc.page_box(page)
    image = QImage(
        pixels.samples, pixels.width, pixels.height, pixels.stride, QImage.Format.Format_RGB888
    )
    return image.copy(), box


def preview_images(
    old: tuple[Path, int], new: tuple[Path, int], scale: float
) -> tuple[QImage, QImage, PageBox]:
    """The page shown now, the page that would replace it, and the new page's box."""
    old_image, _ = _image(old[0], old[1], scale)
    new_image, new_box = _image(new[0], new[1], scale)
    return old_image, new_image, new_box
