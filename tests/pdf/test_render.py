"""Page images: exact sizes, RGB without alpha, no annotations, and the same geometry as
app.core.geometry."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.errors import InvalidPdfError
from app.core.geometry import Rect, user_to_page_fraction
from app.pdf.render import (
    ImageFormat,
    RenderedPage,
    render_page,
    render_page_and_thumbnail,
)
from tests.pdf.conftest import OpenPdf, PageSpec, build_pdf, corpus_file, filled_rect

RED_USER_RECT = Rect(100, 400, 160, 440)


def rotated_cropped(rotation: int, content: str) -> PageSpec:
    """A page with a negative MediaBox origin and an offset CropBox window."""
    return PageSpec(
        mediabox=(-20, -30, 580, 770),
        cropbox=(10, 270, 400, 750),
        rotation=rotation,
        content=content,
    )


def decoded(rendered: RenderedPage) -> Image.Image:
    image = Image.open(io.BytesIO(rendered.data))
    image.load()
    return image


def is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def is_white(pixel: tuple[int, ...]) -> bool:
    return all(channel > 235 for channel in pixel[:3])


def test_jpeg_is_exactly_the_requested_width_rgb_and_decodes(open_pdf: OpenPdf) -> None:
    doc = open_pdf(corpus_file("WaldenFull.pdf"))
    rendered = render_page(doc, 1)
    image = decoded(rendered)
    assert rendered.format is ImageFormat.JPEG and image.format == "JPEG"
    assert image.mode == "RGB"
    assert (rendered.width, rendered.height) == image.size == (800, round(841.89 * 800 / 595.276))


def test_png_is_rgb_without_alpha(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    rendered = render_page(doc, 1, width=300, image_format=ImageFormat.PNG)
    image = decoded(rendered)
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == (300, 400)


@pytest.mark.parametrize("width", [1, 123, 799, 800, 801, 1999])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_width_is_exact_and_height_keeps_the_displayed_aspect(
    open_pdf: OpenPdf, width: int, rotation: int
) -> None:
    spec = PageSpec(
        mediabox=(-20, -30, 577.3, 771.1), cropbox=(10, 270, 401.7, 750), rotation=rotation
    )
    doc = open_pdf(build_pdf([spec]))
    display_width, display_height = doc.page_size(1)
    rendered = render_page(doc, 1, width=width, image_format=ImageFormat.PNG)
    assert rendered.width == width
    assert rendered.height == max(1, round(display_height * width / display_width))
    assert decoded(rendered).size == (rendered.width, rendered.height)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_red_rectangle_lands_where_core_geometry_predicts(open_pdf: OpenPdf, rotation: int) -> None:
    r = RED_USER_RECT
    spec = rotated_cropped(rotation, filled_rect(r.x0, r.y0, r.x1, r.y1))
    doc = open_pdf(build_pdf([spec]))
    image = decoded(render_page(doc, 1, image_format=ImageFormat.PNG))
    fraction = user_to_page_fraction(r, doc.page_box(1))

    def pixel_at(fx: float, fy: float) -> tuple[int, ...]:
        return image.getpixel((int(fx * image.width), int(fy * image.height)))  # type: ignore[return-value]

    inset_x, inset_y = (fraction.x1 - fraction.x0) * 0.1, (fraction.y1 - fraction.y0) * 0.1
    for fx in (fraction.x0 + inset_x, (fraction.x0 + fraction.x1) / 2, fraction.x1 - inset_x):
        for fy in (fraction.y0 + inset_y, (fraction.y0 + fraction.y1) / 2, fraction.y1 - inset_y):
            assert is_red(pixel_at(fx, fy))
    outside = 0.02
    assert is_white(pixel_at(fraction.x0 - outside, (fraction.y0 + fraction.y1) / 2))
    assert is_white(pixel_at(fraction.x1 + outside, (fraction.y0 + fraction.y1) / 2))
    assert is_white(pixel_at((fraction.x0 + fraction.x1) / 2, fraction.y0 - outside))
    assert is_white(pixel_at((fraction.x0 + fraction.x1) / 2, fraction.y1 + outside))


def test_annotations_are_not_drawn(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(mediabox=(0, 0, 200, 200))]))
    page = doc.raw[0]
    square = page.add_rect_annot((20, 20, 180, 180))
    square.set_colors(stroke=(0, 0, 1), fill=(0, 0, 1))
    square.update()
    note = page.add_text_annot((100, 100), "a sticky note")
    note.update()
    assert page.get_pixmap(annots=True).pixel(100, 100) != (255, 255, 255), "test is void"
    for rendered in (render_page(doc, 1, width=200), *render_page_and_thumbnail(doc, 1)):
        darkest = decoded(rendered).convert("L").getextrema()[0]
        assert isinstance(darkest, int) and darkest > 235, "an annotation was drawn"


def test_page_and_thumbnail_match_two_separate_renders(open_pdf: OpenPdf) -> None:
    spec = rotated_cropped(90, filled_rect(100, 400, 160, 440))
    doc = open_pdf(build_pdf([spec]))
    page, thumbnail = render_page_and_thumbnail(doc, 1, width=640, thumbnail_width=160)
    alone = render_page(doc, 1, width=640)
    alone_thumbnail = render_page(doc, 1, width=160)
    assert (page.width, page.height) == (alone.width, alone.height)
    assert (thumbnail.width, thumbnail.height) == (alone_thumbnail.width, alone_thumbnail.height)
    assert decoded(thumbnail).size == (160, alone_thumbnail.height)
    assert page.format is thumbnail.format is ImageFormat.JPEG


def test_thumbnail_can_be_png(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    page, thumbnail = render_page_and_thumbnail(doc, 1, image_format=ImageFormat.PNG)
    assert decoded(page).format == decoded(thumbnail).format == "PNG"
    assert (thumbnail.width, thumbnail.height) == (200, 267)


@pytest.mark.parametrize("width", [0, -5, 10_001])
def test_width_outside_the_allowed_range_raises_value_error(open_pdf: OpenPdf, width: int) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    with pytest.raises(ValueError, match="width"):
        render_page(doc, 1, width=width)


def test_missing_page_raises_value_error(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    with pytest.raises(ValueError, match="page 2"):
        render_page(doc, 2)


def test_absurdly_tall_page_is_refused_as_too_large(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(mediabox=(0, 0, 3, 14400))]))
    with pytest.raises(InvalidPdfError) as caught:
        render_page(doc, 1)
    assert caught.value.reason == "too_large"
