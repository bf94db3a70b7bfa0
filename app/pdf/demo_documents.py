"""Sample PDFs for the demo workspace: catalogues and magazines drawn with PyMuPDF, with their
hotspots written as annotations by the same writer the hotspot editor saves with.

A document is a cover, a contents page, its own pages (product grids or stories) and a back
cover. Everything is vector (filled shapes and Base-14 text), so a dozen pages take a few
milliseconds and a few kilobytes. The Base-14 fonts cover Latin-1 only: prices say "EUR",
never the euro sign, and dashes are plain hyphens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pymupdf

from app.core.geometry import Rect
from app.core.hotspots import Hotspot, HotspotType, external_link, page_reference
from app.pdf.annotation_writer import write_hotspots
from app.pdf.document import PdfDocument

RGB = tuple[float, float, float]
A4 = (595.0, 842.0)
MAGAZINE = (560.0, 740.0)
MARGIN = 48.0
WHITE: RGB = (1.0, 1.0, 1.0)
GREY: RGB = (0.45, 0.45, 0.47)
FIRST_OWN_PAGE = 3  # after the cover and the contents page


class ProductShape(StrEnum):
    """How a product is drawn in its card (there are no photographs in a generated PDF)."""

    LAMP = "lamp"
    VASE = "vase"
    CHAIR = "chair"
    PLANT = "plant"
    CUSHION = "cushion"


@dataclass(frozen=True)
class Palette:
    primary: RGB
    accent: RGB
    paper: RGB
    ink: RGB


@dataclass(frozen=True)
class DemoProduct:
    skus: tuple[str, ...]
    """Printed on the card and carried by its product hotspot (more than one for a set)."""
    name: str
    note: str
    price: str
    """As printed, such as ``49.90 EUR``."""
    colour: RGB
    shape: ProductShape


@dataclass(frozen=True)
class ProductPage:
    heading: str
    intro: str
    products: tuple[DemoProduct, ...]
    """One to four cards; free places show the document's tagline."""


@dataclass(frozen=True)
class StoryPage:
    heading: str
    text: str
    link_label: str
    link_url: str


@dataclass(frozen=True)
class Labels:
    """The words the layout itself prints, in the document's language."""

    contents: str = "Contents"
    article: str = "Art. no."
    discover: str = "Discover the collection"
    shop: str = "Shop online"
    visit: str = "Visit us"
    page: str = "Page"


@dataclass(frozen=True)
class DemoDocument:
    brand: str
    title: str
    kicker: str
    tagline: str
    palette: Palette
    pages: tuple[ProductPage | StoryPage, ...]
    """The pages between the contents page and the back cover."""
    shop_url: str
    address: tuple[str, ...] = ()
    labels: Labels = field(default_factory=Labels)
    size: tuple[float, float] = A4
    annotate_products: bool = True
    """False prints the SKUs without product annotations: for conversions that find them
    in the page text (``extraction_options.products``)."""

    @property
    def page_count(self) -> int:
        return len(self.pages) + 3


def _mix(colour: RGB, other: RGB, share: float) -> RGB:
    """``colour`` moved ``share`` (0..1) of the way towards ``other``."""
    r, g, b = (c + (o - c) * share for c, o in zip(colour, other, strict=True))
    return (r, g, b)


class _Canvas:
    """Drawing on one page in PyMuPDF's top-left coordinates; ``area`` turns a box into the
    PDF user space (origin bottom-left) that hotspots are written in.

    Everything goes into one Shape committed by ``finish``: a Shape per call costs about a
    millisecond each. A Shape puts all text above all drawings, which every layout here
    wants anyway."""

    def __init__(self, page: pymupdf.Page, number: int) -> None:
        self.number = number
        self.width = float(page.rect.width)
        self.height = float(page.rect.height)
        self._shape = page.new_shape()

    def finish(self) -> None:
        self._shape.commit()

    def area(self, x0: float, top: float, x1: float, bottom: float) -> Rect:
        return Rect.spanning(x0, self.height - top, x1, self.height - bottom)

    def _fill(self, fill: RGB, opacity: float) -> None:
        self._shape.finish(color=None, fill=fill, fill_opacity=opacity, closePath=True)

    def box(
        self,
        x0: float,
        top: float,
        x1: float,
        bottom: float,
        fill: RGB,
        *,
        radius: float | None = None,
        opacity: float = 1.0,
    ) -> None:
        """A filled rectangle; ``radius`` rounds its corners (a share of the shorter side)."""
        self._shape.draw_rect(pymupdf.Rect(x0, top, x1, bottom), radius=radius)
        self._fill(fill, opacity)

    def disc(self, x: float, y: float, radius: float, fill: RGB, opacity: float = 1.0) -> None:
        self._shape.draw_circle(pymupdf.Point(x, y), radius)
        self._fill(fill, opacity)

    def polygon(self, points: list[tuple[float, float]], fill: RGB, opacity: float = 1.0) -> None:
        self._shape.draw_polyline([*points, points[0]])
        self._fill(fill, opacity)

    def line(self, x0: float, y: float, x1: float, colour: RGB, width: float = 0.6) -> None:
        self._shape.draw_line(pymupdf.Point(x0, y), pymupdf.Point(x1, y))
        self._shape.finish(color=colour, width=width)

    def text(
        self, x: float, y: float, text: str, size: float, colour: RGB, font: str = "helv"
    ) -> None:
        """One line with its baseline at ``y``."""
        self._shape.insert_text(
            pymupdf.Point(x, y), text, fontsize=size, fontname=font, color=colour
        )

    def right_text(
        self, x1: float, y: float, text: str, size: float, colour: RGB, font: str = "helv"
    ) -> None:
        width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
        self.text(x1 - width, y, text, size, colour, font)

    def paragraph(
        self,
        rect: tuple[float, float, float, float],
        text: str,
        size: float,
        colour: RGB,
        font: str = "helv",
    ) -> None:
        """Wrapped text; shrinks the type until it fits (PyMuPDF writes nothing otherwise)."""
        while size > 4:
            spare = self._shape.insert_textbox(
                pymupdf.Rect(*rect), text, fontsize=size, fontname=font, color=colour
            )
            if spare >= 0:
                return
            size -= 1


# --- pieces shared by the pages -------------------------------------------------------------


def _pill(canvas: _Canvas, x: float, top: float, label: str, fill: RGB, ink: RGB) -> Rect:
    """A rounded button with ``label``; returns its area (user space) for a hotspot."""
    width = pymupdf.get_text_length(label, fontname="hebo", fontsize=12) + 44
    canvas.box(x, top, x + width, top + 34, fill, radius=0.5)
    canvas.text(x + 22, top + 21.5, label, 12, ink, "hebo")
    return canvas.area(x, top, x + width, top + 34)


def _footer(canvas: _Canvas, document: DemoDocument) -> Hotspot:
    """Brand, shop address and page number; returns the shop address's link."""
    ink, primary = document.palette.ink, document.palette.primary
    y = canvas.height - 30
    canvas.line(MARGIN, y - 16, canvas.width - MARGIN, _mix(ink, WHITE, 0.8))
    canvas.text(MARGIN, y, document.brand.upper(), 7.5, GREY, "hebo")
    label = f"{document.labels.shop}: {_display_url(document.shop_url)}"
    width = pymupdf.get_text_length(label, fontname="hebo", fontsize=8.5)
    x = (canvas.width - width) / 2
    canvas.text(x, y, label, 8.5, primary, "hebo")
    canvas.right_text(
        canvas.width - MARGIN, y, f"{document.labels.page} {canvas.number}", 7.5, GREY
    )
    return external_link(
        canvas.number, canvas.area(x - 4, y - 11, x + width + 4, y + 4), document.shop_url
    )


def _display_url(url: str) -> str:
    return url.removeprefix("https://").removeprefix("http://").rstrip("/")


def _landscape(canvas: _Canvas, top: float, bottom: float, palette: Palette) -> None:
    """Sky, sun, mountains and water: the magazines' picture, varied by page number."""
    w, h = canvas.width, bottom - top
    turn = (canvas.number * 0.37) % 1.0  # a different sun and skyline on every page
    shore = bottom - h * 0.2
    canvas.box(0, top, w, bottom, _mix(palette.primary, palette.paper, 0.72))
    canvas.disc(w * (0.15 + 0.7 * turn), top + h * (0.22 + 0.15 * turn), h * 0.15, palette.accent)
    far = _mix(palette.primary, palette.paper, 0.35)
    peak = 0.2 + 0.25 * (1 - turn)
    canvas.polygon([(-w * 0.1, shore), (w * peak, top + h * 0.3), (w * (peak + 0.35), shore)], far)
    near = [(w * 0.3, shore), (w * (0.55 + 0.2 * turn), top + h * 0.42), (w, top + h * 0.58)]
    canvas.polygon([*near, (w, shore)], palette.primary)
    canvas.box(0, shore - 1, w, bottom, _mix(palette.primary, palette.ink, 0.35))
    for row in range(3):
        y = bottom - h * (0.15 - row * 0.05)
        x = w * (0.08 + 0.25 * ((turn + row * 0.3) % 1.0))
        canvas.line(x, y, x + w * 0.22, palette.paper, 1.2)


def _product_shape(
    canvas: _Canvas, shape: ProductShape, x: float, y: float, s: float, colour: RGB
) -> None:
    """``shape`` centred on (x, y), about ``s`` points tall."""
    dark = _mix(colour, (0.0, 0.0, 0.0), 0.35)
    if shape is ProductShape.LAMP:
        canvas.polygon(
            [
                (x - s * 0.28, y - s * 0.05),
                (x - s * 0.14, y - s * 0.45),
                (x + s * 0.14, y - s * 0.45),
                (x + s * 0.28, y - s * 0.05),
            ],
            colour,
        )
        canvas.box(x - s * 0.02, y - s * 0.05, x + s * 0.02, y + s * 0.4, dark)
        canvas.box(x - s * 0.18, y + s * 0.4, x + s * 0.18, y + s * 0.47, dark, radius=0.4)
    elif shape is ProductShape.VASE:
        canvas.disc(x, y + s * 0.12, s * 0.32, colour)
        canvas.box(x - s * 0.1, y - s * 0.45, x + s * 0.1, y - s * 0.1, colour)
        canvas.box(x - s * 0.14, y - s * 0.48, x + s * 0.14, y - s * 0.42, dark, radius=0.4)
    elif shape is ProductShape.CHAIR:
        canvas.box(x - s * 0.3, y - s * 0.45, x + s * 0.3, y + s * 0.02, colour, radius=0.15)
        canvas.box(x - s * 0.36, y, x + s * 0.36, y + s * 0.16, dark, radius=0.3)
        canvas.box(x - s * 0.3, y + s * 0.16, x - s * 0.24, y + s * 0.47, dark)
        canvas.box(x + s * 0.24, y + s * 0.16, x + s * 0.3, y + s * 0.47, dark)
    elif shape is ProductShape.PLANT:
        for dx, dy, r in ((-0.16, -0.2, 0.2), (0.16, -0.24, 0.2), (0.0, -0.36, 0.18)):
            canvas.disc(x + s * dx, y + s * dy, s * r, colour)
        canvas.polygon(
            [
                (x - s * 0.22, y + s * 0.02),
                (x + s * 0.22, y + s * 0.02),
                (x + s * 0.15, y + s * 0.47),
                (x - s * 0.15, y + s * 0.47),
            ],
            dark,
        )
    else:
        canvas.box(x - s * 0.4, y - s * 0.28, x + s * 0.4, y + s * 0.28, colour, radius=0.3)
        canvas.box(
            x - s * 0.25,
            y - s * 0.14,
            x + s * 0.25,
            y + s * 0.14,
            _mix(colour, WHITE, 0.3),
            radius=0.3,
        )


# --- the pages ------------------------------------------------------------------------------


def _cover(canvas: _Canvas, document: DemoDocument) -> list[Hotspot]:
    p, w, h = document.palette, canvas.width, canvas.height
    canvas.box(0, 0, w, h, p.primary)
    canvas.disc(w * 0.88, h * 0.16, w * 0.42, p.accent, 0.92)
    canvas.disc(w * 0.05, h * 0.58, w * 0.22, WHITE, 0.08)
    canvas.text(MARGIN, 64, document.brand.upper(), 13, p.paper, "hebo")
    canvas.text(MARGIN, h * 0.4, document.kicker.upper(), 14, p.paper, "hebo")
    canvas.paragraph((MARGIN, h * 0.41, w - MARGIN, h * 0.58), document.title, 38, p.paper, "hebo")
    canvas.paragraph((MARGIN, h * 0.58, w * 0.72, h * 0.66), document.tagline, 13, p.paper)
    discover = _pill(canvas, MARGIN, h * 0.67, document.labels.discover, p.paper, p.primary)
    products = [
        item for page in document.pages if isinstance(page, ProductPage) for item in page.products
    ]
    if products:
        canvas.box(0, h * 0.82, w, h, _mix(p.primary, p.ink, 0.3))
        size = h * 0.15
        for index, product in enumerate(products[:3]):
            # Standing on the dark floor, right of the button.
            x = w * (0.52 + index * 0.18)
            _product_shape(canvas, product.shape, x, h * 0.82 - size * 0.45, size, product.colour)
    else:
        _landscape(canvas, h * 0.76, h, p)
    return [page_reference(canvas.number, discover, FIRST_OWN_PAGE)]


def _contents(canvas: _Canvas, document: DemoDocument) -> list[Hotspot]:
    p, w, h = document.palette, canvas.width, canvas.height
    canvas.box(0, 0, w, h, p.paper)
    canvas.box(0, 0, 16, h, p.primary)
    canvas.disc(w * 0.95, h * 0.92, w * 0.35, p.accent, 0.18)
    canvas.text(MARGIN + 12, 100, document.labels.contents, 34, p.ink, "hebo")
    canvas.text(MARGIN + 12, 124, f"{document.kicker} - {document.title}", 10, GREY)
    hotspots: list[Hotspot] = []
    row = min(52.0, (h - 260) / max(1, len(document.pages)))
    for index, page in enumerate(document.pages):
        number = FIRST_OWN_PAGE + index
        top = 160 + index * row
        canvas.text(MARGIN + 12, top + 26, f"{number:02d}", 22, p.accent, "hebo")
        canvas.text(MARGIN + 70, top + 24, page.heading, 14, p.ink)
        canvas.line(MARGIN + 12, top + row - 8, w - MARGIN, _mix(p.ink, WHITE, 0.85))
        area = canvas.area(MARGIN + 8, top, w - MARGIN, top + row - 10)
        hotspots.append(page_reference(canvas.number, area, number))
    return hotspots


def _product_card(
    canvas: _Canvas,
    document: DemoDocument,
    product: DemoProduct,
    box: tuple[float, float, float, float],
) -> list[Hotspot]:
    x0, top, x1, bottom = box
    ink, primary = document.palette.ink, document.palette.primary
    canvas.box(x0, top, x1, bottom, _mix(product.colour, WHITE, 0.84), radius=0.04)
    picture = (bottom - top) * 0.58
    _product_shape(
        canvas, product.shape, (x0 + x1) / 2, top + picture * 0.55, picture * 0.8, product.colour
    )
    y = top + picture + 22
    canvas.text(x0 + 14, y, product.name, 12.5, ink, "hebo")
    canvas.paragraph((x0 + 14, y + 6, x1 - 14, bottom - 34), product.note, 8.5, GREY)
    canvas.text(x0 + 14, bottom - 14, product.price, 14, primary, "hebo")
    canvas.right_text(
        x1 - 14, bottom - 14, f"{document.labels.article} {' + '.join(product.skus)}", 7.5, GREY
    )
    if not document.annotate_products:
        return []
    properties = {"skus": list(product.skus), "icon": True, "dynamic": True}
    return [Hotspot(HotspotType.PRODUCT, canvas.number, canvas.area(*box), properties)]


def _tagline_tile(
    canvas: _Canvas, document: DemoDocument, box: tuple[float, float, float, float]
) -> None:
    x0, top, x1, bottom = box
    canvas.box(x0, top, x1, bottom, document.palette.accent, radius=0.04)
    canvas.paragraph(
        (x0 + 18, top + 24, x1 - 18, bottom - 18),
        document.tagline,
        17,
        document.palette.ink,
        "hebo",
    )


def _product_page(canvas: _Canvas, document: DemoDocument, page: ProductPage) -> list[Hotspot]:
    p, w, h = document.palette, canvas.width, canvas.height
    canvas.box(0, 0, w, h, p.paper)
    canvas.box(0, 0, w, 150, p.primary)
    canvas.disc(w - 40, 20, 90, p.accent, 0.35)
    canvas.text(MARGIN, 66, page.heading, 26, p.paper, "hebo")
    canvas.paragraph((MARGIN, 80, w - MARGIN - 60, 142), page.intro, 10.5, p.paper)
    gap, top, bottom = 16.0, 170.0, h - 62
    card_w, card_h = (w - 2 * MARGIN - gap) / 2, (bottom - top - gap) / 2
    hotspots: list[Hotspot] = []
    for slot in range(4):
        x0 = MARGIN + (slot % 2) * (card_w + gap)
        y0 = top + (slot // 2) * (card_h + gap)
        box = (x0, y0, x0 + card_w, y0 + card_h)
        if slot < len(page.products):
            hotspots += _product_card(canvas, document, page.products[slot], box)
        elif slot == len(page.products):
            _tagline_tile(canvas, document, box)
    return [*hotspots, _footer(canvas, document)]


def _story_page(canvas: _Canvas, document: DemoDocument, page: StoryPage) -> list[Hotspot]:
    """Picture, headline, standfirst (the first paragraph), the rest of the text beside a
    quote of the document's tagline, and a button to read on."""
    p, w, h = document.palette, canvas.width, canvas.height
    canvas.box(0, 0, w, h, p.paper)
    _landscape(canvas, 0, h * 0.4, p)
    canvas.paragraph((MARGIN, h * 0.43, w - MARGIN, h * 0.52), page.heading, 26, p.ink, "tibo")
    first, _, rest = page.text.partition("\n\n")
    canvas.paragraph((MARGIN, h * 0.52, w - MARGIN, h * 0.64), first, 14, p.ink, "tiit")
    column = (w - 2 * MARGIN - 24) / 2
    bottom = h - 124
    canvas.paragraph((MARGIN, h * 0.65, MARGIN + column, bottom), rest, 11.5, p.ink, "tiro")
    x = MARGIN + column + 24
    canvas.box(x, h * 0.65, w - MARGIN, bottom, _mix(p.accent, p.paper, 0.55), radius=0.06)
    canvas.text(x + 16, h * 0.65 + 44, '"', 48, p.primary, "tibo")
    canvas.paragraph(
        (x + 16, h * 0.65 + 52, w - MARGIN - 16, bottom - 12), document.tagline, 14, p.ink, "tiit"
    )
    link = _pill(canvas, MARGIN, h - 108, page.link_label, p.primary, p.paper)
    return [external_link(canvas.number, link, page.link_url), _footer(canvas, document)]


def _back_cover(canvas: _Canvas, document: DemoDocument) -> list[Hotspot]:
    p, w, h = document.palette, canvas.width, canvas.height
    canvas.box(0, 0, w, h, p.primary)
    canvas.disc(w * 0.1, h * 0.9, w * 0.5, p.accent, 0.9)
    canvas.text(MARGIN, h * 0.3, document.labels.visit, 32, p.paper, "hebo")
    shop = _pill(canvas, MARGIN, h * 0.34, _display_url(document.shop_url), p.paper, p.primary)
    for index, line in enumerate(document.address):
        canvas.text(MARGIN, h * 0.45 + index * 17, line, 11, p.paper)
    canvas.right_text(w - MARGIN, h - 40, document.brand.upper(), 12, p.paper, "hebo")
    return [external_link(canvas.number, shop, document.shop_url)]


def _draw(canvas: _Canvas, document: DemoDocument) -> list[Hotspot]:
    """Draw the page ``canvas.number`` of ``document``; returns its hotspots."""
    if canvas.number == 1:
        return _cover(canvas, document)
    if canvas.number == 2:
        return _contents(canvas, document)
    if canvas.number == document.page_count:
        return _back_cover(canvas, document)
    own = document.pages[canvas.number - FIRST_OWN_PAGE]
    if isinstance(own, ProductPage):
        return _product_page(canvas, document, own)
    return _story_page(canvas, document, own)


def demo_pdf(document: DemoDocument) -> bytes:
    """The PDF of ``document`` with its hotspots as annotations: page references on the
    cover and the contents page, product notes over the cards (unless
    ``annotate_products`` is False), and web links in the footers and on the back cover.

    Raises ValueError for a product page without products or with more than four."""
    for page in document.pages:
        if isinstance(page, ProductPage) and not 1 <= len(page.products) <= 4:
            raise ValueError(f"the page {page.heading!r} needs one to four products")
    width, height = document.size
    with PdfDocument(pymupdf.open()) as doc:
        hotspots: list[Hotspot] = []
        for number in range(1, document.page_count + 1):
            canvas = _Canvas(doc.raw.new_page(width=width, height=height), number)
            hotspots += _draw(canvas, document)
            canvas.finish()
        write_hotspots(doc, hotspots)
        doc.raw.set_metadata(
            {"title": document.title, "author": document.brand, "creator": "Folio demo workspace"}
        )
        return doc.to_bytes()
