"""The editor's page view: every page (or spread) in one scrolling column, zoomable from 25 to
800 %, with hotspots drawn over the pages and edited with the mouse and the keyboard.

Scene units are displayed-page points, so the view's scale is the zoom. Drags change the
items live and commit one undo step on release; the model stays the only truth.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QWidget

from app.core.enums import LayoutType
from app.core.geometry import Rect
from app.core.hotspots import Hotspot, HotspotType
from app.core.spreads import spread_page_groups
from app.ui.editor.editing import HotspotEditor, blank_properties, clamp_to_page
from app.ui.editor.model import display_rect, user_rect
from app.ui.editor.page_images import PageImages
from app.ui.editor.page_items import (
    HANDLE_PIXELS,
    HotspotItem,
    PageItem,
    full_page_scale,
    handle_points,
)
from app.ui.editor.snapping import page_guides, snap_edges, snap_move

MIN_ZOOM = 0.25
MAX_ZOOM = 8.0
WHEEL_STEP = 1.15
ROW_GAP = 24.0  # points between pages (or spreads) in the column
MARGIN = 24.0
SNAP_PIXELS = 6.0
CLICK_PIXELS = 4.0  # a drag shorter than this is a click
DEFAULT_SIZE = (96.0, 48.0)  # points: a hotspot made by a click rather than a drag
NUDGE = 1.0
BIG_NUDGE = 10.0
MIN_SIDE = 1.0


class ZoomMode(StrEnum):
    FIT_WIDTH = "fit_width"
    FIT_PAGE = "fit_page"
    FIXED = "fixed"


@dataclass
class Drag:
    mode: str  # "draw", "move", "resize", "band", "pan"
    page: PageItem | None
    start: QPointF  # in the page's points (scene for pan: view pixels)
    keys: list[int] = field(default_factory=list)
    originals: dict[int, Rect] = field(default_factory=dict)
    edges: str = ""
    moved: bool = False


class HotspotCanvas(QGraphicsView):
    zoom_changed = Signal(float)
    current_page_changed = Signal(int)
    tool_changed = Signal(object)  # HotspotType | None (None: the select tool)
    edit_requested = Signal(int)  # a hotspot was double-clicked

    def __init__(self, editor: HotspotEditor, images: PageImages, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.model = editor.model
        self.images = images
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(self.palette().window().color().darker(112))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.tool: HotspotType | None = None
        self.spreads = False
        self.preview = False
        self.zoom_mode = ZoomMode.FIT_WIDTH
        self.page_items: list[PageItem] = []
        self.hotspot_items: dict[int, HotspotItem] = {}
        self._row_tops: list[float] = []
        self._rows: list[list[PageItem]] = []
        self._drag: Drag | None = None
        self._band = QGraphicsRectItem()
        band_pen = QPen(QColor("#1e88e5"), 1, Qt.PenStyle.DashLine)
        band_pen.setCosmetic(True)
        self._band.setPen(band_pen)
        self._band.setBrush(QColor(30, 136, 229, 30))
        self._band.setZValue(1e6)
        self._space = False
        self._locked = False
        self._current_page = 0
        self._flagged: set[int] = set()
        self._visible_timer = QTimer(self, singleShot=True, interval=0)
        self._visible_timer.timeout.connect(self._visible_changed)
        for bar in (self.verticalScrollBar(), self.horizontalScrollBar()):
            bar.valueChanged.connect(lambda _value: self._visible_timer.start())
        self.model.changed.connect(self._hotspots_changed)
        self.model.pages_changed.connect(self._pages_changed)
        editor.selection_changed.connect(self._selection_changed)
        images.ready.connect(self._page_ready)
        images.failed.connect(self._page_failed)
        self._build()

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        scene = self.scene()
        for item in list(scene.items()):
            if item.parentItem() is None and item is not self._band:
                scene.removeItem(item)
        if self._band.scene() is None:
            scene.addItem(self._band)
        self._band.hide()
        ratio = self.devicePixelRatioF()
        self.page_items = []
        for page in self.model.pages:
            item = PageItem(page, self.images)
            item.device_ratio = ratio
            scene.addItem(item)
            self.page_items.append(item)
        self.hotspot_items = {}
        for position, hotspot in enumerate(self.model.state):
            self._add_hotspot_item(hotspot.key, position)
        self._lay_out()

    def _lay_out(self) -> None:
        groups = self._page_groups()
        self._rows = [[self.page_items[number - 1] for number in group] for group in groups]
        self._row_tops = []
        top = 0.0
        widest = 1.0
        for row in self._rows:
            width = sum(item.page.size[0] for item in row)
            height = max(item.page.size[1] for item in row)
            widest = max(widest, width)
            left = -width / 2
            for item in row:
                item.setPos(left, top + (height - item.page.size[1]) / 2)
                left += item.page.size[0]
            self._row_tops.append(top)
            top += height + ROW_GAP
        self.scene().setSceneRect(
            QRectF(-widest / 2 - MARGIN, -MARGIN, widest + 2 * MARGIN, top - ROW_GAP + 2 * MARGIN)
        )
        self._apply_zoom_mode()

    def _page_groups(self) -> list[list[int]]:
        """Pages per row: one each, or the spreads a reader sees: the publication's own
        (from the server) when known, else a booklet's (page 1 alone, then pairs)."""
        pages = [item.page for item in self.page_items]
        if not self.spreads:
            return [[page.number] for page in pages]
        if pages and all(page.spread_id is not None for page in pages):
            groups: list[list[int]] = []
            for page in pages:
                if groups and pages[groups[-1][-1] - 1].spread_id == page.spread_id:
                    groups[-1].append(page.number)
                else:
                    groups.append([page.number])
            return groups
        return spread_page_groups(len(pages), LayoutType.BOOKLET)

    def set_spreads(self, spreads: bool) -> None:
        if spreads != self.spreads:
            page = self.current_page()
            self.spreads = spreads
            self._lay_out()
            self.scroll_to_page(page)

    def set_preview(self, preview: bool) -> None:
        self.preview = preview
        for item in self.hotspot_items.values():
            item.preview = preview
            item.update()
        if preview:
            self.set_tool(None)

    def set_flagged(self, keys: set[int]) -> None:
        for key in self._flagged ^ keys:
            item = self.hotspot_items.get(key)
            if item is not None:
                item.flagged = key in keys
                item.update()
        self._flagged = set(keys)

    # --- zoom ---------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float, mode: ZoomMode = ZoomMode.FIXED) -> None:
        self.zoom_mode = mode
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if abs(zoom - self.zoom) > 1e-6:
            self.setTransform(self.transform().fromScale(zoom, zoom))
            self.zoom_changed.emit(zoom)
            self._visible_timer.start()

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fit_width(self) -> None:
        self.zoom_mode = ZoomMode.FIT_WIDTH
        self._apply_zoom_mode()

    def fit_page(self) -> None:
        self.zoom_mode = ZoomMode.FIT_PAGE
        self._apply_zoom_mode()

    def _apply_zoom_mode(self) -> None:
        if self.zoom_mode is ZoomMode.FIXED or not self._rows:
            return
        page = self.current_page()
        # A few pixels spare, so rounding never brings up a scroll bar at "fit".
        bar = (
            0
            if self.verticalScrollBar().isVisible()
            else self.verticalScrollBar().sizeHint().width()
        )
        width = max(1, self.viewport().width() - bar - 2 * int(MARGIN) - 4)
        height = max(1, self.viewport().height() - 2 * int(MARGIN) - 4)
        widest = max(sum(i.page.size[0] for i in row) for row in self._rows)
        zoom = width / widest
        if self.zoom_mode is ZoomMode.FIT_PAGE:
            row = self._row_of(page)
            row_width = sum(i.page.size[0] for i in row)
            row_height = max(i.page.size[1] for i in row)
            zoom = min(width / row_width, height / row_height)
        self.set_zoom(zoom, self.zoom_mode)
        self.scroll_to_page(page)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_zoom_mode()
        self._visible_timer.start()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(WHEEL_STEP**steps)
            event.accept()
            return
        super().wheelEvent(event)

    # --- pages in view ------------------------------------------------------------------

    def _row_of(self, page: int) -> list[PageItem]:
        return next((row for row in self._rows if any(i.number == page for i in row)), [])

    def page_item(self, page: int) -> PageItem:
        return self.page_items[page - 1]

    def visible_pages(self) -> list[int]:
        """Pages in view, the one nearest the centre first, then one row beyond each edge."""
        if not self._rows:
            return []
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        first = max(0, bisect.bisect_right(self._row_tops, area.top()) - 1)
        last = max(first, bisect.bisect_right(self._row_tops, area.bottom()) - 1)
        centre = area.center().y()
        rows = list(range(max(0, first - 1), min(len(self._rows), last + 2)))
        rows.sort(key=lambda r: (not first <= r <= last, abs(self._row_tops[r] - centre)))
        return [item.number for r in rows for item in self._rows[r]]

    def current_page(self) -> int:
        if not self._rows:
            return 0
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        probe = area.top() + min(area.height() / 3, 200)
        row = max(0, bisect.bisect_right(self._row_tops, probe) - 1)
        return self._rows[row][0].number

    def scroll_to_page(self, page: int) -> None:
        if not 1 <= page <= len(self.page_items):
            return
        item = self.page_item(page)
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        top = item.scenePos().y() - MARGIN / 2
        self.centerOn(QPointF(item.sceneBoundingRect().center().x(), top + area.height() / 2))
        self._visible_timer.start()

    def ensure_visible(self, key: int) -> None:
        item = self.hotspot_items.get(key)
        if item is not None:
            self.ensureVisible(item.mapRectToScene(item.rect()), 60, 60)

    def _visible_changed(self) -> None:
        pages = self.visible_pages()
        self.images.prioritise(pages)
        # Ask for the rows just outside the view too (painting asks only for what shows),
        # so a page scrolled into view is usually drawn already.
        scale = self.zoom * self.devicePixelRatioF()
        for number in pages:
            self.images.image(number, full_page_scale(self.page_item(number).page.size, scale))
        current = self.current_page()
        if current != self._current_page:
            self._current_page = current
            self.current_page_changed.emit(current)

    def _page_ready(self, page: int) -> None:
        if 1 <= page <= len(self.page_items):
            item = self.page_items[page - 1]
            item.problem = ""
            item.update()

    def _page_failed(self, page: int, message: str) -> None:
        if 1 <= page <= len(self.page_items):
            item = self.page_items[page - 1]
            item.problem = message
            item.update()

    # --- following the model ------------------------------------------------------------

    def _add_hotspot_item(self, key: int, position: int) -> None:
        hotspot = self.model.get(key)
        if hotspot is None or not 1 <= hotspot.page <= len(self.page_items):
            return
        item = HotspotItem(hotspot, self.page_items[hotspot.page - 1])
        item.setZValue(position)
        item.preview = self.preview
        item.flagged = key in self._flagged
        item.selected = key in self.editor.selected
        self.hotspot_items[key] = item

    def _hotspots_changed(self, keys: frozenset[int]) -> None:
        if self._drag is not None and keys & set(self._drag.originals):
            # An undo (or another change) moved the dragged hotspots: the drag is over.
            self._drag = None
            self._band.hide()
        positions = {item.key: index for index, item in enumerate(self.model.state)}
        for key in keys:
            item = self.hotspot_items.get(key)
            hotspot = self.model.get(key)
            if hotspot is None:
                if item is not None:
                    self.scene().removeItem(item)
                    del self.hotspot_items[key]
                continue
            if item is None or item.parentItem() is not self.page_items[hotspot.page - 1]:
                if item is not None:
                    self.scene().removeItem(item)
                    del self.hotspot_items[key]
                self._add_hotspot_item(key, positions[key])
                continue
            item.set_item(hotspot, self.model.page(hotspot.page))
            item.setZValue(positions[key])

    def _pages_changed(self, numbers: frozenset[int]) -> None:
        for number in numbers:
            page_item = self.page_items[number - 1]
            page_item.set_page(self.model.page(number))
            for hotspot in self.model.on_page(number):
                item = self.hotspot_items.get(hotspot.key)
                if item is not None:
                    item.set_item(hotspot, page_item.page)
        self._lay_out()

    def _selection_changed(self) -> None:
        chosen = set(self.editor.selected)
        for key, item in self.hotspot_items.items():
            if item.selected != (key in chosen):
                item.selected = key in chosen
                item.update()

    # --- tools --------------------------------------------------------------------------

    def set_locked(self, locked: bool) -> None:
        """No edits with the mouse or keys (scrolling and zooming still work)."""
        self._locked = locked
        if locked:
            self._cancel_drag()
            self.set_tool(None)

    def set_tool(self, tool: HotspotType | None) -> None:
        if self.preview and tool is not None:
            return
        self.tool = tool
        cursor = Qt.CursorShape.CrossCursor if tool is not None else Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(cursor)
        self.tool_changed.emit(tool)

    # --- mouse --------------------------------------------------------------------------

    def _page_at(self, scene_point: QPointF) -> PageItem | None:
        for item in self.scene().items(scene_point):
            if isinstance(item, PageItem):
                return item
        return None

    def _hotspot_at(self, scene_point: QPointF) -> HotspotItem | None:
        for item in self.scene().items(scene_point):  # topmost first
            if isinstance(item, HotspotItem) and item.mapRectToScene(item.rect()).contains(
                scene_point
            ):
                return item
        return None

    def _handle_at(self, scene_point: QPointF) -> tuple[HotspotItem, str] | None:
        reach = HANDLE_PIXELS / max(self.zoom, 1e-6)
        for key in self.editor.selected:
            item = self.hotspot_items.get(key)
            if item is None:
                continue
            for name, point in handle_points(item.rect()).items():
                scene = item.mapToScene(point)
                if (
                    abs(scene.x() - scene_point.x()) <= reach
                    and abs(scene.y() - scene_point.y()) <= reach
                ):
                    return item, name
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space
        ):
            self._drag = Drag("pan", None, position)
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton or self._locked:
            super().mousePressEvent(event)
            return
        self.setFocus()
        scene_point = self.mapToScene(position.toPoint())
        page = self._page_at(scene_point)
        if self.tool is not None:
            if page is not None:
                self._drag = Drag("draw", page, page.mapFromScene(scene_point))
            return
        extend = bool(
            event.modifiers()
            & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
        )
        handle = None if extend or self.preview else self._handle_at(scene_point)
        if handle is not None:
            item, edges = handle
            self._drag = Drag(
                "resize",
                item.parentItem(),
                item.mapFromScene(scene_point),  # type: ignore[arg-type]
                [item.key],
                {item.key: item.shown},
                edges,
            )
            return
        hit = self._hotspot_at(scene_point)
        if hit is not None:
            selected = self.editor.selected
            if extend:
                keys = (
                    [k for k in selected if k != hit.key]
                    if hit.key in selected
                    else [*selected, hit.key]
                )
                self.editor.select(keys)
                return
            if hit.key not in selected:
                self.editor.select([hit.key])
            if self.preview:
                return
            keys = self.editor.selected
            # The clicked hotspot leads: it snaps, and the others follow it.
            keys = [hit.key, *[k for k in keys if k != hit.key]]
            originals = {k: self.hotspot_items[k].shown for k in keys if k in self.hotspot_items}
            self._drag = Drag(
                "move", hit.parentItem(), hit.mapFromScene(scene_point), keys, originals
            )  # type: ignore[arg-type]
            return
        if not extend:
            self.editor.select([])
        if page is not None:
            self._drag = Drag("band", page, page.mapFromScene(scene_point))
            self._drag.keys = self.editor.selected

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            self._update_hover_cursor(event.position())
            super().mouseMoveEvent(event)
            return
        position = event.position()
        if drag.mode == "pan":
            delta = position - drag.start
            drag.start = position
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        assert drag.page is not None
        point = drag.page.mapFromScene(self.mapToScene(position.toPoint()))
        if not drag.moved:
            distance = (point - drag.start).manhattanLength() * self.zoom
            if distance < CLICK_PIXELS:
                return
            drag.moved = True
        snap = not event.modifiers() & Qt.KeyboardModifier.AltModifier
        if drag.mode == "draw":
            self._show_band(drag, point, snap)
        elif drag.mode == "band":
            self._show_band(drag, point, False)
        elif drag.mode == "move":
            self._move_preview(drag, point, snap)
        elif drag.mode == "resize":
            self._resize_preview(drag, point, snap)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            super().mouseReleaseEvent(event)
            return
        if drag.mode == "pan":
            self._update_hover_cursor(event.position())
            return
        assert drag.page is not None
        page_item = drag.page
        if drag.mode == "draw":
            self._band.hide()
            snap = not event.modifiers() & Qt.KeyboardModifier.AltModifier
            end = page_item.mapFromScene(self.mapToScene(event.position().toPoint()))
            shown = self._band_rect(drag, end, snap) if drag.moved else None
            if shown is None or shown.width < MIN_SIDE or shown.height < MIN_SIDE:
                width, height = DEFAULT_SIZE
                start = drag.start
                shown = clamp_to_page(
                    Rect(start.x(), start.y(), start.x() + width, start.y() + height),
                    page_item.page,
                )
            self._create(page_item, shown)
        elif drag.mode == "band":
            self._band.hide()
            if drag.moved:
                band = self._band_rect(
                    drag, page_item.mapFromScene(self.mapToScene(event.position().toPoint())), False
                )
                caught = [
                    item.key
                    for item in self.model.on_page(page_item.number)
                    if _intersects(display_rect(page_item.page, item.rect), band)
                ]
                self.editor.select([*drag.keys, *caught])
        elif drag.mode in ("move", "resize") and drag.moved:
            rects = {
                key: self.hotspot_items[key].shown
                for key in drag.originals
                if key in self.hotspot_items
            }
            text = "Move" if drag.mode == "move" else "Resize"
            noun = "" if len(rects) == 1 else f" {len(rects)} hotspots"
            self.editor.set_shown_rects(rects, text + noun)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self._hotspot_at(self.mapToScene(event.position().toPoint()))
        if hit is not None:
            self.editor.select([hit.key])
            self.edit_requested.emit(hit.key)
            return
        super().mouseDoubleClickEvent(event)

    def _update_hover_cursor(self, position: QPointF) -> None:
        if self.tool is not None:
            return
        if self._space:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        scene_point = self.mapToScene(position.toPoint())
        handle = None if self.preview else self._handle_at(scene_point)
        if handle is not None:
            cursor = {
                "n": Qt.CursorShape.SizeVerCursor,
                "s": Qt.CursorShape.SizeVerCursor,
                "e": Qt.CursorShape.SizeHorCursor,
                "w": Qt.CursorShape.SizeHorCursor,
                "nw": Qt.CursorShape.SizeFDiagCursor,
                "se": Qt.CursorShape.SizeFDiagCursor,
                "ne": Qt.CursorShape.SizeBDiagCursor,
                "sw": Qt.CursorShape.SizeBDiagCursor,
            }[handle[1]]
        elif self._hotspot_at(scene_point) is not None:
            cursor = (
                Qt.CursorShape.PointingHandCursor if self.preview else Qt.CursorShape.SizeAllCursor
            )
        else:
            cursor = Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(cursor)

    # --- drag previews ------------------------------------------------------------------

    def _guides(self, page_item: PageItem, moving: set[int]):
        others = [
            display_rect(page_item.page, item.rect)
            for item in self.model.on_page(page_item.number)
            if item.key not in moving
        ]
        return page_guides(page_item.page.size, others)

    def _tolerance(self) -> float:
        return SNAP_PIXELS / max(self.zoom, 1e-6)

    def _band_rect(self, drag: Drag, point: QPointF, snap: bool) -> Rect:
        width, height = drag.page.page.size  # type: ignore[union-attr]
        x = min(max(point.x(), 0.0), width)
        y = min(max(point.y(), 0.0), height)
        rect = Rect.spanning(drag.start.x(), drag.start.y(), x, y)
        if snap:
            rect = snap_edges(rect, "nsew", self._guides(drag.page, set()), self._tolerance())  # type: ignore[arg-type]
        return rect

    def _show_band(self, drag: Drag, point: QPointF, snap: bool) -> None:
        rect = self._band_rect(drag, point, snap)
        origin = drag.page.scenePos()  # type: ignore[union-attr]
        self._band.setRect(
            QRectF(origin.x() + rect.x0, origin.y() + rect.y0, rect.width, rect.height)
        )
        self._band.show()

    def _move_preview(self, drag: Drag, point: QPointF, snap: bool) -> None:
        dx, dy = point.x() - drag.start.x(), point.y() - drag.start.y()
        lead_key = drag.keys[0]
        lead_item = self.hotspot_items[lead_key]
        lead_page = lead_item.parentItem()
        lead = drag.originals[lead_key]
        moved = clamp_to_page(
            Rect(lead.x0 + dx, lead.y0 + dy, lead.x1 + dx, lead.y1 + dy),
            lead_page.page,  # type: ignore[union-attr]
        )
        if snap:
            guides = self._guides(lead_page, set(drag.keys))  # type: ignore[arg-type]
            moved = clamp_to_page(snap_move(moved, guides, self._tolerance()), lead_page.page)  # type: ignore[union-attr]
        dx, dy = moved.x0 - lead.x0, moved.y0 - lead.y0
        for key, original in drag.originals.items():
            item = self.hotspot_items.get(key)
            if item is None:
                continue
            page = item.parentItem().page  # type: ignore[union-attr]
            item.set_shown(
                clamp_to_page(
                    Rect(original.x0 + dx, original.y0 + dy, original.x1 + dx, original.y1 + dy),
                    page,
                )
            )

    def _resize_preview(self, drag: Drag, point: QPointF, snap: bool) -> None:
        key = drag.keys[0]
        item = self.hotspot_items[key]
        original = drag.originals[key]
        width, height = drag.page.page.size  # type: ignore[union-attr]
        x = min(max(point.x(), 0.0), width)
        y = min(max(point.y(), 0.0), height)
        x0, y0, x1, y1 = original.x0, original.y0, original.x1, original.y1
        if "w" in drag.edges:
            x0 = min(x, x1 - MIN_SIDE)
        if "e" in drag.edges:
            x1 = max(x, x0 + MIN_SIDE)
        if "n" in drag.edges:
            y0 = min(y, y1 - MIN_SIDE)
        if "s" in drag.edges:
            y1 = max(y, y0 + MIN_SIDE)
        rect = Rect(x0, y0, x1, y1)
        if snap:
            rect = snap_edges(rect, drag.edges, self._guides(drag.page, {key}), self._tolerance())  # type: ignore[arg-type]
        item.set_shown(rect)

    def _create(self, page_item: PageItem, shown: Rect) -> None:
        assert self.tool is not None
        kind = self.tool
        rect = user_rect(page_item.page, shown)
        self.editor.add(
            [Hotspot(kind, page_item.number, rect, blank_properties(kind))],
            f"Draw {kind.value.replace('_', ' ')} hotspot",
        )
        self.set_tool(None)

    # --- keys ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        step = BIG_NUDGE if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else NUDGE
        moves = {
            Qt.Key.Key_Left: (-step, 0.0),
            Qt.Key.Key_Right: (step, 0.0),
            Qt.Key.Key_Up: (0.0, -step),
            Qt.Key.Key_Down: (0.0, step),
        }
        if key in moves and self.editor.selected and not self.preview and not self._locked:
            self.editor.nudge(*moves[key])
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            if self._drag is not None:
                self._cancel_drag()
            elif self.tool is not None:
                self.set_tool(None)
            else:
                self.editor.select([])
            event.accept()
            return
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(
                Qt.CursorShape.CrossCursor if self.tool else Qt.CursorShape.ArrowCursor
            )
            event.accept()
            return
        super().keyReleaseEvent(event)

    def _cancel_drag(self) -> None:
        drag, self._drag = self._drag, None
        self._band.hide()
        if drag is not None:
            for key, original in drag.originals.items():
                item = self.hotspot_items.get(key)
                if item is not None:
                    item.set_shown(original)


def _intersects(a: Rect, b: Rect) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1
