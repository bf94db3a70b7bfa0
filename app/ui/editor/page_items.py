"""What the canvas draws: a page (its rendered image, crisp at the current zoom) and the
hotspots on it. Scene units are points of the displayed page; the view's scale is the zoom.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from app.core.geometry import Rect
from app.core.hotspots import HotspotType
from app.ui.editor.model import EditorHotspot, EditorPage, display_rect
from app.ui.editor.page_images import PageImages
from app.ui.editor.property_checks import TYPE_NAMES

# Above this many pixels the page is drawn from a smaller image plus a sharp tile of the
# part in view: a whole A4 page at 800 % on a HiDPI screen would be 130 megapixels, and
# PyMuPDF holds the GIL while it draws (about 5 ms a megapixel), which the UI thread feels.
FULL_PAGE_PIXELS = 2_000_000
TILE_PIXELS = 512
HANDLE_PIXELS = 8.0  # handles keep their size on screen at any zoom

TYPE_COLOURS = {
    HotspotType.PRODUCT: QColor("#1e88e5"),
    HotspotType.EXTERNAL_LINK: QColor("#43a047"),
    HotspotType.PAGE_REFERENCE: QColor("#8e24aa"),
    HotspotType.IMAGE: QColor("#fb8c00"),
    HotspotType.VIDEO: QColor("#e53935"),
    HotspotType.SLIDESHOW: QColor("#00897b"),
}


def full_page_scale(size: tuple[float, float], scale: float) -> float:
    """The scale the whole page is drawn at for a view ``scale`` (pixels per point): the
    same, unless that is too many pixels (then a tile adds the detail)."""
    width, height = size
    if width * height * scale * scale > FULL_PAGE_PIXELS:
        return float((FULL_PAGE_PIXELS / (width * height)) ** 0.5)
    return scale


def view_scale(painter: QPainter) -> float:
    """Device-independent pixels per point as the painter draws now."""
    return max(1e-6, abs(painter.worldTransform().m11()) + abs(painter.worldTransform().m12()))


def hotspot_label(item: EditorHotspot) -> str:
    p = item.properties
    if item.type is HotspotType.PRODUCT:
        skus = [str(s) for s in p.get("skus") or []]
        return ", ".join(skus) if skus else "Product (no SKU yet)"
    if item.type is HotspotType.EXTERNAL_LINK:
        return str(p.get("url") or "Link (no address yet)")
    if item.type is HotspotType.PAGE_REFERENCE:
        return f"→ page {p.get('page')}" if p.get("page") else "Page reference (no page yet)"
    if item.type in (HotspotType.IMAGE, HotspotType.VIDEO):
        return str(p.get("source") or f"{TYPE_NAMES[item.type]} (no address yet)")
    return TYPE_NAMES.get(item.type, item.type.value)


def shows_icon(item: EditorHotspot) -> bool:
    """Whether the reader marks the hotspot with an indication icon."""
    return bool(item.properties.get("icon", item.type is HotspotType.PRODUCT))


class PageItem(QGraphicsItem):
    """A displayed page: white paper, the rendered image when it is there, a frame."""

    def __init__(self, page: EditorPage, images: PageImages) -> None:
        super().__init__()
        self.page = page
        self.images = images
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.device_ratio = 1.0
        self.problem = ""

    @property
    def number(self) -> int:
        return self.page.number

    def _tiles(self, exposed: QRectF, scale: float) -> list[tuple[QRectF, QImage | None]]:
        """The grid cells in view at ``scale`` with their sharp tiles (None until drawn).
        Cells of TILE_PIXELS keep each PyMuPDF call short: it holds the GIL while it draws,
        and a whole view at 800 % would keep the UI thread waiting for 50 ms or more."""
        if exposed.isEmpty():
            return []
        cell = TILE_PIXELS / scale
        width, height = self.page.size
        cells = []
        for column in range(int(exposed.left() // cell), int(exposed.right() // cell) + 1):
            for row in range(int(exposed.top() // cell), int(exposed.bottom() // cell) + 1):
                x0, y0 = column * cell, row * cell
                x1, y1 = min(x0 + cell, width), min(y0 + cell, height)
                if x1 > x0 and y1 > y0:
                    rect = QRectF(x0, y0, x1 - x0, y1 - y0)
                    cells.append((rect, self.images.tile(self.number, scale, (x0, y0, x1, y1))))
        return cells

    def set_page(self, page: EditorPage) -> None:
        self.prepareGeometryChange()
        self.page = page
        self.update()

    def boundingRect(self) -> QRectF:
        width, height = self.page.size
        return QRectF(0, 0, width, height)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        bounds = self.boundingRect()
        exposed = option.exposedRect.intersected(bounds)  # type: ignore[attr-defined]
        # The screen's ratio now (a window moved to another screen draws for that one).
        ratio = widget.devicePixelRatioF() if widget is not None else self.device_ratio
        scale = view_scale(painter) * ratio
        full_scale = full_page_scale(self.page.size, scale)
        image = self.images.image(self.number, full_scale)
        tiles = self._tiles(exposed, scale) if full_scale < scale else []
        covered = bool(tiles) and all(tile is not None for _, tile in tiles)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if not covered:
            painter.fillRect(exposed, QColor("white"))
            if image is not None:
                # Only the part in view: scaling the whole image at high zoom costs tens of ms.
                ratio = image.width() / bounds.width()
                source = QRectF(
                    exposed.left() * ratio,
                    exposed.top() * ratio,
                    exposed.width() * ratio,
                    exposed.height() * ratio,
                )
                painter.drawImage(exposed, image, source)
        painter.save()
        painter.setClipRect(exposed)
        for cell, tile in tiles:
            if tile is not None:
                # A tile's offset is its top-left in pixels of the whole page at ``scale``;
                # it may reach past its cell (drawn with a margin), so it is clipped to it.
                origin = tile.offset()
                painter.save()
                painter.setClipRect(cell, Qt.ClipOperation.IntersectClip)
                painter.drawImage(
                    QRectF(
                        origin.x() / scale,
                        origin.y() / scale,
                        tile.width() / scale,
                        tile.height() / scale,
                    ),
                    tile,
                )
                painter.restore()
        painter.restore()
        if image is None or self.problem:
            painter.setPen(QColor("#9e9e9e"))
            text = self.problem or f"Page {self.number}…"
            painter.drawText(bounds, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        pen = QPen(QColor(0, 0, 0, 90))
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bounds)


class HotspotItem(QGraphicsItem):
    """A hotspot over its page. Editing shows it as a tinted box with its label; preview
    shows it as a reader sees it: an icon where the reader shows one, nothing otherwise."""

    def __init__(self, item: EditorHotspot, page_item: PageItem) -> None:
        super().__init__(page_item)
        self.key = item.key
        self.item = item
        self.shown = display_rect(page_item.page, item.rect)
        self.selected = False
        self.preview = False
        self.flagged = False  # the lint found something

    def set_item(self, item: EditorHotspot, page: EditorPage) -> None:
        self.prepareGeometryChange()
        self.item = item
        self.shown = display_rect(page, item.rect)
        self.update()

    def set_shown(self, shown: Rect) -> None:
        """A live rectangle during a drag, before it is committed."""
        self.prepareGeometryChange()
        self.shown = shown
        self.update()

    def rect(self) -> QRectF:
        r = self.shown
        return QRectF(r.x0, r.y0, r.width, r.height)

    def boundingRect(self) -> QRectF:
        # Room for the handles and the label, which keep their size on screen.
        return self.rect().adjusted(-24, -24, 24, 24)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        rect = self.rect()
        colour = TYPE_COLOURS.get(self.item.type, QColor("#607d8b"))
        scale = view_scale(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.preview:
            self._paint_preview(painter, rect, colour, scale)
            return
        fill = QColor(colour)
        fill.setAlpha(70 if self.selected else 45)
        pen = QPen(QColor("#d32f2f") if self.flagged else colour, 2.5 if self.selected else 1.5)
        pen.setCosmetic(True)
        if self.flagged:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        painter.drawRect(rect)
        self._paint_label(painter, rect, colour, scale)
        if self.selected:
            painter.setBrush(QColor("white"))
            handle_pen = QPen(colour, 1.5)
            handle_pen.setCosmetic(True)
            painter.setPen(handle_pen)
            half = HANDLE_PIXELS / 2 / scale
            for point in handle_points(rect).values():
                painter.drawRect(QRectF(point.x() - half, point.y() - half, 2 * half, 2 * half))

    def _paint_label(self, painter: QPainter, rect: QRectF, colour: QColor, scale: float) -> None:
        text = hotspot_label(self.item)
        font = QFont(painter.font())
        font.setPointSizeF(max(1.0, 8.0 / scale))
        painter.setFont(font)
        height = 14.0 / scale
        if rect.height() < height * 1.2 or rect.width() < 24 / scale:
            return
        label = QRectF(rect.left(), rect.top(), rect.width(), height)
        painter.fillRect(label, colour)
        painter.setPen(QColor("white"))
        metrics_text = painter.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, int(max(0.0, (rect.width() - 6 / scale) * scale))
        )
        painter.drawText(
            label.adjusted(3 / scale, 0, 0, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            metrics_text,
        )

    def _paint_preview(self, painter: QPainter, rect: QRectF, colour: QColor, scale: float) -> None:
        if not shows_icon(self.item):
            if self.selected:
                pen = QPen(colour, 1, Qt.PenStyle.DotLine)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect)
            return
        # The reader's indication icon: a round "+" badge in the top-right corner.
        radius = min(11.0 / scale, rect.width() / 2, rect.height() / 2)
        centre = QPointF(rect.right() - radius * 1.2, rect.top() + radius * 1.2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(centre, radius, radius)
        pen = QPen(QColor("white"), max(1.0, radius * 0.28 * scale))
        pen.setCosmetic(True)
        painter.setPen(pen)
        arm = radius * 0.5
        painter.drawLine(
            QPointF(centre.x() - arm, centre.y()), QPointF(centre.x() + arm, centre.y())
        )
        painter.drawLine(
            QPointF(centre.x(), centre.y() - arm), QPointF(centre.x(), centre.y() + arm)
        )


def handle_points(rect: QRectF) -> dict[str, QPointF]:
    """The eight resize handles, named by the edges they move (n, s, e, w)."""
    cx, cy = rect.center().x(), rect.center().y()
    return {
        "nw": rect.topLeft(),
        "n": QPointF(cx, rect.top()),
        "ne": rect.topRight(),
        "e": QPointF(rect.right(), cy),
        "se": rect.bottomRight(),
        "s": QPointF(cx, rect.bottom()),
        "sw": rect.bottomLeft(),
        "w": QPointF(rect.left(), cy),
    }
