"""Raw page pixels for the editor: sizes follow the scale and the displayed page, a clip draws
exactly the same pixels as the whole page has there, and annotations stay out."""

from __future__ import annotations

import math

import pymupdf
import pytest

from app.core.errors import InvalidPdfError
from app.core.geometry import Rect, user_to_page_fraction
from app.pdf.page_pixels import PagePixels, displayed_page_size, page_pixel_size, render_pixels
from app.pdf.render import MAX_PIXELS
from tests.pdf.conftest import OpenPdf, PageSpec, build_pdf, corpus_file, filled_rect

RED_USER_RECT = Rect(100, 400, 160, 440)


def rotated_cropped(rotation: int, content: str = "") -> PageSpec:
    """A page with a negative MediaBox origin and an offset CropBox window."""
    return PageSpec(
        mediabox=(-20, -30, 577.3, 771.1),
        cropbox=(10, 270, 401.7, 750),
        rotation=rotation,
        content=content,
    )


def red_page(rotation: int) -> PageSpec:
    r = RED_USER_RECT
    return rotated_cropped(rotation, filled_rect(r.x0, r.y0, r.x1, r.y1))


def pixel(pixels: PagePixels, x: int, y: int) -> tuple[int, int, int]:
    start = y * pixels.stride + 3 * x
    r, g, b = pixels.samples[start : start + 3]
    return r, g, b


def region(pixels: PagePixels, x0: int, y0: int, x1: int, y1: int) -> list[bytes]:
    """The rows of the pixels x0..x1, y0..y1 (end exclusive)."""
    return [
        pixels.samples[y * pixels.stride + 3 * x0 : y * pixels.stride + 3 * x1]
        for y in range(y0, y1)
    ]


def is_red(rgb: tuple[int, int, int]) -> bool:
    return rgb[0] > 200 and rgb[1] < 60 and rgb[2] < 60


def missing_last_page(page_count: int) -> bytes:
    """A PDF whose page tree claims ``page_count`` pages but holds one fewer: MuPDF opens
    it and draws the others, and cannot load the last."""
    specs = [PageSpec(content=filled_rect(10, 10, 100, 100)) for _ in range(page_count)]
    doc = pymupdf.open(stream=build_pdf(specs), filetype="pdf")
    pages = int(doc.xref_get_key(doc.pdf_catalog(), "Pages")[1].split()[0])
    kids = [page.xref for page in doc][:-1]
    doc.xref_set_key(pages, "Kids", "[" + " ".join(f"{xref} 0 R" for xref in kids) + "]")
    return bytes(doc.tobytes())


@pytest.mark.parametrize("scale", [0.1, 1.0, 1.3, 2.75])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_whole_page_is_scale_times_the_displayed_size(
    open_pdf: OpenPdf, rotation: int, scale: float
) -> None:
    doc = open_pdf(build_pdf([rotated_cropped(rotation)]))
    width, height = doc.page_size(1)
    pixels = render_pixels(doc, 1, scale)
    assert (pixels.width, pixels.height) == page_pixel_size(width, height, scale)
    assert (pixels.width, pixels.height) == (round(width * scale), round(height * scale))
    assert (pixels.x, pixels.y) == (0, 0)
    assert displayed_page_size(doc, 1) == pytest.approx((width, height), abs=1e-3)
    assert pixels.stride == 3 * pixels.width
    assert len(pixels.samples) == pixels.stride * pixels.height


def test_cropbox_offset_on_a_negative_mediabox_is_the_displayed_size(open_pdf: OpenPdf) -> None:
    doc = open_pdf(corpus_file("test_4043.pdf"))
    width, height = doc.page_size(1)
    assert (width, height) != (520, 830), "the corpus file lost its CropBox"
    pixels = render_pixels(doc, 1, 1.5)
    assert (pixels.width, pixels.height) == (round(width * 1.5), round(height * 1.5))


def test_page_with_rotate_90_in_the_corpus_is_drawn_landscape(open_pdf: OpenPdf) -> None:
    doc = open_pdf(corpus_file("joined.pdf"))
    rotated = next(n for n in range(1, doc.page_count + 1) if doc.page_box(n).rotation == 90)
    width, height = doc.page_size(rotated)
    pixels = render_pixels(doc, rotated, 0.5)
    assert width > height
    assert (pixels.width, pixels.height) == (round(width * 0.5), round(height * 0.5))


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_content_lands_where_core_geometry_predicts(open_pdf: OpenPdf, rotation: int) -> None:
    doc = open_pdf(build_pdf([red_page(rotation)]))
    pixels = render_pixels(doc, 1, 1.7)
    fraction = user_to_page_fraction(RED_USER_RECT, doc.page_box(1))
    middle_x = int((fraction.x0 + fraction.x1) / 2 * pixels.width)
    middle_y = int((fraction.y0 + fraction.y1) / 2 * pixels.height)
    assert is_red(pixel(pixels, middle_x, middle_y))
    left_of_it = int((fraction.x0 - 0.02) * pixels.width)
    assert pixel(pixels, left_of_it, middle_y) == (255, 255, 255)


@pytest.mark.parametrize("rotation", [0, 90])
def test_clip_draws_exactly_the_same_pixels_as_the_whole_page_has_there(
    open_pdf: OpenPdf, rotation: int
) -> None:
    doc = open_pdf(build_pdf([red_page(rotation)]))
    whole = render_pixels(doc, 1, 2.0)
    fraction = user_to_page_fraction(RED_USER_RECT, doc.page_box(1))
    width, height = doc.page_size(1)
    # A clip around the red rectangle, with edges between pixels.
    clip = (
        fraction.x0 * width - 20.3,
        fraction.y0 * height - 10.6,
        fraction.x1 * width + 15.2,
        fraction.y1 * height + 5.1,
    )
    tile = render_pixels(doc, 1, 2.0, clip)
    # Each axis is scaled to whole pixels; the clip's edges are snapped outwards.
    sx, sy = whole.width / width, whole.height / height
    x0, y0 = math.floor(clip[0] * sx), math.floor(clip[1] * sy)
    x1, y1 = math.ceil(clip[2] * sx), math.ceil(clip[3] * sy)
    assert (tile.x, tile.y, tile.width, tile.height) == (x0, y0, x1 - x0, y1 - y0)
    assert region(tile, 0, 0, tile.width, tile.height) == region(whole, x0, y0, x1, y1)
    inside = (
        int((fraction.x0 + fraction.x1) / 2 * whole.width),
        int((fraction.y0 + fraction.y1) / 2 * whole.height),
    )
    assert is_red(pixel(tile, inside[0] - tile.x, inside[1] - tile.y))
    assert pixel(tile, 0, 0) == pixel(whole, x0, y0) == (255, 255, 255)


def test_clip_in_whole_pixels_gives_exactly_those_pixels_at_any_scale(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([rotated_cropped(270)]))
    width, height = doc.page_size(1)
    for step in range(40):
        scale = 0.3 + step * 0.77
        full_width, full_height = page_pixel_size(width, height, scale)
        sx, sy = full_width / width, full_height / height
        x0, y0 = step * full_width // 97, step * full_height // 89
        x1, y1 = min(full_width, x0 + 37 + step), min(full_height, y0 + 23 + 2 * step)
        tile = render_pixels(doc, 1, scale, (x0 / sx, y0 / sy, x1 / sx, y1 / sy))
        assert (tile.x, tile.y, tile.width, tile.height) == (x0, y0, x1 - x0, y1 - y0), scale


def test_clip_reaching_past_the_page_is_cut_to_it(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(mediabox=(0, 0, 600, 800))]))
    tile = render_pixels(doc, 1, 0.5, (500, -40, 700, 100))
    assert (tile.x, tile.y, tile.width, tile.height) == (250, 0, 50, 50)


def test_clip_beside_the_page_raises_value_error(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(mediabox=(0, 0, 600, 800))]))
    with pytest.raises(ValueError, match="does not cover"):
        render_pixels(doc, 1, 1.0, (610, 0, 700, 100))


def test_annotations_are_not_drawn(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(mediabox=(0, 0, 200, 200))]))
    page = doc.raw[0]
    square = page.add_rect_annot((20, 20, 180, 180))
    square.set_colors(stroke=(0, 0, 1), fill=(0, 0, 1))
    square.update()
    page.add_text_annot((100, 100), "a sticky note").update()
    assert page.get_pixmap(annots=True).pixel(100, 100) != (255, 255, 255), "test is void"
    for pixels in (render_pixels(doc, 1, 1.0), render_pixels(doc, 1, 3.0, (90, 90, 110, 110))):
        assert min(pixels.samples) > 235, "an annotation was drawn"


def test_page_missing_from_the_page_tree_is_damaged(open_pdf: OpenPdf) -> None:
    doc = open_pdf(missing_last_page(3))
    # Asked first: once MuPDF has walked the page tree it counts only the pages it found.
    with pytest.raises(InvalidPdfError) as caught:
        render_pixels(doc, 3, 0.5)
    assert caught.value.reason == "damaged"
    assert str(caught.value) == "Page 3 of the PDF is damaged and could not be drawn."
    assert render_pixels(doc, 2, 0.5).width == 300


def test_size_of_a_page_missing_from_the_page_tree_is_damaged(open_pdf: OpenPdf) -> None:
    doc = open_pdf(missing_last_page(3))
    with pytest.raises(InvalidPdfError) as caught:
        displayed_page_size(doc, 3)
    assert caught.value.reason == "damaged"


def test_too_many_pixels_are_refused_but_a_clip_of_them_is_drawn(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(mediabox=(0, 0, 600, 800))]))
    scale = (MAX_PIXELS / (600 * 800)) ** 0.5 * 1.01
    with pytest.raises(InvalidPdfError) as caught:
        render_pixels(doc, 1, scale)
    assert caught.value.reason == "too_large"
    tile = render_pixels(doc, 1, scale, (100, 100, 200, 150))
    assert tile.width * tile.height < MAX_PIXELS


@pytest.mark.parametrize("scale", [0, -1.0, float("nan"), float("inf"), True])
def test_scale_must_be_a_positive_number(open_pdf: OpenPdf, scale: float) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    with pytest.raises(ValueError, match="scale"):
        render_pixels(doc, 1, scale)


def test_missing_page_raises_value_error(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    with pytest.raises(ValueError, match="page 2"):
        render_pixels(doc, 2, 1.0)
