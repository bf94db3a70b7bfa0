"""Before a page is replaced by a new version: the old page and the new one side by side, with
the old page's hotspots over both, so the designer keeps, moves or drops each one first.

Scene units are displayed-page points (top-left origin, y down), as on the editor's canvas. A
hotspot lands on the new page at the same fractions of the displayed page as on the old one,
so one in the top-right corner stays there on a page of another size or rotation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyleOptionGraphicsItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.geometry import PageBox, Rect, user_to_page_fraction
from app.core.hotspots import Hotspot
from app.ui.editor.model import EditorHotspot, EditorPage, display_rect, user_rect
from app.ui.editor.page_items import TYPE_COLOURS, TYPE_NAMES, hotspot_label, view_scale

OTHER_COLOUR = QColor("#607d8b")
PAGE_MARGIN = 0.04  # of the page's longer side: air around each page in its view
EDGE_TOLERANCE = 1e-6  # points: rounding, not a hotspot that really sticks out
COLUMNS = ("Keep", "Hotspot", "Type", "On the new page")
# Statuses that ask for a look: one moved by the tool, one that will be gone.
STATUS_COLOURS = {"Moved to fit the page": QColor("#e65100"), "Dropped": QColor("#9e9e9e")}


@dataclass
class Placement:
    """An old hotspot and where it lands on the new page, in displayed points."""

    hotspot: Hotspot
    shown: Rect
    kept: bool = True
    fitted: bool = False  # it stuck out of the new page and was moved (or shrunk) onto it
    moved: bool = False  # the designer dragged it

    def status(self) -> str:
        if not self.kept:
            return "Dropped"
        if self.moved:
            return "Moved by you"
        return "Moved to fit the page" if self.fitted else "Same place"


def landing_rect(rect: Rect, old_box: PageBox, new_box: PageBox) -> Rect:
    """A user-space rectangle of the old page at the same displayed fractions of the new page,
    in the new page's displayed points."""
    fraction = user_to_page_fraction(rect, old_box)
    width, height = new_box.display_size
    return Rect(
        fraction.x0 * width, fraction.y0 * height, fraction.x1 * width, fraction.y1 * height
    )


def fit_inside(shown: Rect, width: float, height: float) -> Rect:
    """``shown`` moved onto a page ``width`` by ``height`` points; shrunk only along a side that is
    longer than the page's."""
    w, h = min(shown.width, width), min(shown.height, height)
    x0 = min(max(shown.x0, 0.0), width - w)
    y0 = min(max(shown.y0, 0.0), height - h)
    return Rect(x0, y0, x0 + w, y0 + h)


def size_text(box: PageBox) -> str:
    width, height = box.display_size
    return f"{width:.0f} \N{MULTIPLICATION SIGN} {height:.0f} pt"


class HotspotBox(QGraphicsObject):
    """A hotspot over a page: a tinted box with its label. Given ``page_size`` it can be
    dragged, and a drag never takes it off that page."""

    pressed = Signal(int)
    moved = Signal(int)

    def __init__(
        self,
        index: int,
        label: str,
        colour: QColor,
        shown: Rect,
        page_size: tuple[float, float] | None = None,
    ) -> None:
        super().__init__()
        self.index, self.label, self.colour = index, label, colour
        self.size = (shown.width, shown.height)
        self.page_size = page_size
        self.highlighted = False
        self.faded = False
        self.setPos(shown.x0, shown.y0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges, True)
        self.set_look()

    def set_look(self, *, highlighted: bool | None = None, faded: bool | None = None) -> None:
        self.highlighted = self.highlighted if highlighted is None else highlighted
        self.faded = self.faded if faded is None else faded
        # A dropped hotspot stays put: dragging it would look like keeping it.
        movable = self.page_size is not None and not self.faded
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, movable)
        self.setCursor(Qt.CursorShape.OpenHandCursor if movable else Qt.CursorShape.ArrowCursor)
        self.setZValue(2 if self.highlighted else 1)
        self.update()

    def shown(self) -> Rect:
        x, y = self.pos().x(), self.pos().y()
        return Rect(x, y, x + self.size[0], y + self.size[1])

    def boundingRect(self) -> QRectF:
        # Room for the highlight's pen, which keeps its width on screen.
        return QRectF(0, 0, *self.size).adjusted(-6, -6, 6, 6)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change is QGraphicsItem.GraphicsItemChange.ItemPositionChange and self.page_size:
            width, height = self.page_size
            x = min(max(value.x(), 0.0), width - self.size[0])
            y = min(max(value.y(), 0.0), height - self.size[1])
            return QPointF(x, y)
        if change is QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.moved.emit(self.index)
        return super().itemChange(change, value)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.pressed.emit(self.index)
        super().mousePressEvent(event)
        event.accept()  # a box that cannot move is still selected by a click

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        rect = QRectF(0, 0, *self.size)
        scale = view_scale(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        colour = QColor(self.colour)
        fill = QColor(colour)
        fill.setAlpha(0 if self.faded else 95 if self.highlighted else 45)
        if self.faded:
            colour.setAlpha(170)
        pen = QPen(colour, 3.0 if self.highlighted else 1.5)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine if self.faded else Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRect(rect)
        strip = 15.0 / scale  # the label keeps its size on screen
        if self.faded or rect.height() < strip * 1.5 or rect.width() < 30 / scale:
            return
        label = QRectF(0, 0, rect.width(), strip)
        painter.fillRect(label, colour)
        font = QFont(painter.font())
        font.setPointSizeF(max(1.0, 8.0 / scale))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        room = int(rect.width() - 8 / scale)  # font metrics are in points, as the scene
        text = painter.fontMetrics().elidedText(self.label, Qt.TextElideMode.ElideRight, room)
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(label.adjusted(4 / scale, 0, 0, 0), align, text)


class PageView(QGraphicsView):
    """One rendered page as white paper on a grey desk, scaled to fit the view at any size."""

    def __init__(self, image: QImage, box: PageBox) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(self.palette().window().color().darker(112))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumSize(160, 160)
        width, height = box.display_size
        page = QRectF(0, 0, width, height)
        margin = PAGE_MARGIN * max(width, height)
        self.scene().setSceneRect(page.adjusted(-margin, -margin, margin, margin))
        self.scene().addRect(page.translated(2, 3), Qt.PenStyle.NoPen, QColor(0, 0, 0, 45))
        self.scene().addRect(page, Qt.PenStyle.NoPen, QColor("white"))
        if not image.isNull():
            picture = self.scene().addPixmap(QPixmap.fromImage(image))
            picture.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            # Whatever the image's resolution, it covers the displayed page exactly.
            picture.setTransform(
                QTransform.fromScale(width / image.width(), height / image.height())
            )
        frame = QPen(QColor(0, 0, 0, 90))
        frame.setCosmetic(True)
        self.scene().addRect(page, frame)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


class ReplacePagePreview(QDialog):
    """The old page (read-only) beside the new one, the old page's hotspots over both, and a
    list to keep or drop each. Images come rendered by the caller, at any resolution."""

    def __init__(
        self,
        page_number: int,
        old_image: QImage,
        new_image: QImage,
        old_box: PageBox,
        new_box: PageBox,
        hotspots: Sequence[Hotspot],
        source_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.page_number = page_number
        self.new_box = new_box
        self.setWindowTitle(f"Replace page {page_number}")
        old_page = EditorPage(page_number, old_box)
        self.placements: list[Placement] = []
        self.old_view = PageView(old_image, old_box)
        self.new_view = PageView(new_image, new_box)
        self.old_boxes: list[HotspotBox] = []
        self.new_boxes: list[HotspotBox] = []
        for index, hotspot in enumerate(hotspots):
            landed = landing_rect(hotspot.rect, old_box, new_box)
            fitted = fit_inside(landed, *new_box.display_size)
            sticks_out = not fitted.is_close(landed, EDGE_TOLERANCE)
            self.placements.append(
                Placement(hotspot, fitted if sticks_out else landed, fitted=sticks_out)
            )
            label = hotspot_label(EditorHotspot(index, hotspot))
            colour = TYPE_COLOURS.get(hotspot.type, OTHER_COLOUR)
            old = HotspotBox(index, label, colour, display_rect(old_page, hotspot.rect))
            new = HotspotBox(index, label, colour, self.placements[-1].shown, new_box.display_size)
            new.moved.connect(self._box_moved)
            for item, view in ((old, self.old_view), (new, self.new_view)):
                item.pressed.connect(self.select_row)
                view.scene().addItem(item)
            self.old_boxes.append(old)
            self.new_boxes.append(new)
        # The old page shows a hotspot that hangs off it whole, as it is now.
        old_scene = self.old_view.scene()
        old_scene.setSceneRect(old_scene.sceneRect().united(old_scene.itemsBoundingRect()))

        intro = QLabel(
            f"The new page replaces page {page_number}. Hotspots of the old page are shown "
            "where they would land; drag to move them, untick to drop them."
            if self.placements
            else f"The new page replaces page {page_number}."
        )
        intro.setWordWrap(True)
        scaled = " Hotspots keep their place relative to the page and scale with it."
        size_note = QLabel(
            f"The new page is {size_text(new_box)}; the old one was {size_text(old_box)}."
            + (scaled if self.placements else "")
        )
        size_note.setWordWrap(True)
        size_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        size_note.setVisible(size_text(old_box) != size_text(new_box))
        self.size_note = size_note
        self.source_name = source_name
        self.old_caption = self._caption(f"Now (page {page_number})")
        self.new_caption = self._caption("")  # set on resize: the file name, elided to fit
        self.new_caption.setToolTip(source_name)
        pages = QGridLayout()
        pages.setHorizontalSpacing(12)
        for column, view in enumerate((self.old_view, self.new_view)):
            pages.addWidget((self.old_caption, self.new_caption)[column], 0, column)
            pages.addWidget(view, 1, column)
            pages.setColumnStretch(column, 1)

        self.keep_boxes: list[QCheckBox] = []
        self.table = QTableWidget(len(self.placements), len(COLUMNS))
        self._fill_table()
        self.summary = QLabel()
        self.keep_all_button = QPushButton("Keep all")
        self.keep_all_button.clicked.connect(lambda: self._set_all(True))
        self.drop_all_button = QPushButton("Drop all")
        self.drop_all_button.clicked.connect(lambda: self._set_all(False))
        list_bar = QHBoxLayout()
        list_bar.addWidget(self.summary, 1)
        list_bar.addWidget(self.keep_all_button)
        list_bar.addWidget(self.drop_all_button)
        self.empty = QLabel(
            f"Page {page_number} has no hotspots, so there is nothing to keep: the new page "
            "comes in without any."
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setFrameShape(QFrame.Shape.StyledPanel)
        self.empty.setMinimumHeight(72)
        for widget in (self.table, self.keep_all_button, self.drop_all_button):
            widget.setVisible(bool(self.placements))
        self.empty.setVisible(not self.placements)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.replace_button = buttons.addButton(
            "Replace page", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.replace_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        for widget in (intro, size_note):
            layout.addWidget(widget)
        layout.addSpacing(4)
        layout.addLayout(pages, 1)
        layout.addSpacing(6)
        layout.addLayout(list_bar)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addSpacing(6)
        layout.addWidget(buttons)
        self.setMinimumSize(720, 560)
        self.resize(1000, 700)
        self.replace_button.setFocus()
        self._refresh_summary()

    def kept_hotspots(self) -> list[Hotspot]:
        """After ``accept``: the kept hotspots on page ``page_number``, their rectangles in the
        new page's user space with any moves applied, their properties unchanged."""
        page = EditorPage(self.page_number, self.new_box)
        return [
            replace(p.hotspot, page=self.page_number, rect=user_rect(page, p.shown))
            for p in self.placements
            if p.kept
        ]

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    @staticmethod
    def _caption(text: str) -> QLabel:
        caption = QLabel(text)
        caption.setTextFormat(Qt.TextFormat.PlainText)
        font = caption.font()
        font.setBold(True)
        caption.setFont(font)
        # A long file name is elided to the room there is rather than widening the dialog.
        caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        return caption

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The middle of the name goes, so its start and its version suffix stay readable.
        prefix = "After replacing, from "
        metrics = self.new_caption.fontMetrics()
        room = self.new_caption.width() - metrics.horizontalAdvance(prefix)
        elided = metrics.elidedText(self.source_name, Qt.TextElideMode.ElideMiddle, room)
        self.new_caption.setText(prefix + elided)

    def _fill_table(self) -> None:
        table = self.table
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the label takes the rest
        for row, placement in enumerate(self.placements):
            check = QCheckBox()
            check.setChecked(True)
            check.setAccessibleName(f"Keep {self.new_boxes[row].label}")
            check.toggled.connect(lambda kept, row=row: self._keep_toggled(row, kept))
            cell = QWidget()
            QHBoxLayout(cell).addWidget(check, 0, Qt.AlignmentFlag.AlignCenter)
            cell.layout().setContentsMargins(8, 0, 8, 0)
            table.setCellWidget(row, 0, cell)
            self.keep_boxes.append(check)
            kind = placement.hotspot.type
            swatch = QPixmap(12, 12)
            swatch.fill(TYPE_COLOURS.get(kind, OTHER_COLOUR))
            table.setItem(row, 1, QTableWidgetItem(swatch, self.new_boxes[row].label))
            table.setItem(row, 2, QTableWidgetItem(TYPE_NAMES.get(kind, kind.value)))
            table.setItem(row, 3, QTableWidgetItem())
            self._refresh_row(row)
        # Tall enough for a few rows without scrolling; the pages take the rest.
        rows = min(max(len(self.placements), 1), 5) * table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(header.sizeHint().height() + rows + 2 * table.frameWidth())
        table.itemSelectionChanged.connect(self._selection_changed)

    def _keep_toggled(self, row: int, kept: bool) -> None:
        self.placements[row].kept = kept
        self.new_boxes[row].set_look(faded=not kept)
        self._refresh_row(row)
        self._refresh_summary()

    def _set_all(self, kept: bool) -> None:
        for check in self.keep_boxes:
            check.setChecked(kept)

    def _box_moved(self, row: int) -> None:
        self.placements[row].shown = self.new_boxes[row].shown()
        self.placements[row].moved = True
        self._refresh_row(row)

    def _selection_changed(self) -> None:
        selected = {index.row() for index in self.table.selectionModel().selectedRows()}
        for row in range(len(self.placements)):
            self.old_boxes[row].set_look(highlighted=row in selected)
            self.new_boxes[row].set_look(highlighted=row in selected)

    def _refresh_row(self, row: int) -> None:
        placement = self.placements[row]
        status = self.table.item(row, 3)
        status.setText(placement.status())
        colour = STATUS_COLOURS.get(placement.status())
        status.setForeground(colour if colour else self.palette().text())

    def _refresh_summary(self) -> None:
        kept = sum(p.kept for p in self.placements)
        total = len(self.placements)
        counts = f" \N{EM DASH} {kept} of {total} kept" if total else ""
        self.summary.setText(f"<b>Hotspots of page {self.page_number}</b>{counts}")
        self.keep_all_button.setEnabled(kept < total)
        self.drop_all_button.setEnabled(kept > 0)
