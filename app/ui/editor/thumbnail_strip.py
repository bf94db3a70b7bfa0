"""The sidebar of page thumbnails: rendered only for the pages scrolled into view, and
clicking one scrolls the canvas there."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from app.ui.editor.model import EditorPage
from app.ui.editor.page_images import PageImages
from app.ui.page_thumbnails import framed

THUMBNAIL_WIDTH = 110


class ThumbnailStrip(QListWidget):
    page_clicked = Signal(int)

    def __init__(self, images: PageImages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images = images
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSpacing(6)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setIconSize(QSize(THUMBNAIL_WIDTH, int(THUMBNAIL_WIDTH * 1.5)))
        self.setFixedWidth(THUMBNAIL_WIDTH + 48)
        self._pages: list[EditorPage] = []
        self._done: set[int] = set()
        self._placeholders: dict[int, QIcon] = {}
        self._timer = QTimer(self, singleShot=True, interval=30)
        self._timer.timeout.connect(self._fill_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._timer.start())
        self.itemClicked.connect(
            lambda item: self.page_clicked.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        images.ready.connect(self._ready)

    def set_pages(self, pages: list[EditorPage]) -> None:
        self.clear()
        self._pages = list(pages)
        self._done = set()
        for page in pages:
            item = QListWidgetItem(self._placeholder(page), str(page.number))
            item.setData(Qt.ItemDataRole.UserRole, page.number)
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.addItem(item)
        self._timer.start()

    def refresh_page(self, page: EditorPage) -> None:
        self._pages[page.number - 1] = page
        self._done.discard(page.number)
        self._timer.start()

    def show_page(self, number: int) -> None:
        """Mark the page the canvas shows, without scrolling the canvas back."""
        item = self.item(number - 1)
        if item is not None and not item.isSelected():
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)
            self.scrollToItem(item, QAbstractItemView.ScrollHint.EnsureVisible)

    def _icon_height(self, page: EditorPage) -> int:
        width, height = page.size
        return max(1, round(THUMBNAIL_WIDTH * height / max(width, 1e-3)))

    def _placeholder(self, page: EditorPage) -> QIcon:
        # One per page size: documents have few sizes and hundreds of pages.
        height = min(self._icon_height(page), THUMBNAIL_WIDTH * 2)
        icon = self._placeholders.get(height)
        if icon is None:
            pixmap = QPixmap(THUMBNAIL_WIDTH, height)
            pixmap.fill(QColor("white"))
            icon = self._placeholders[height] = QIcon(framed(pixmap, self.palette()))
        return icon

    def _visible_numbers(self) -> list[int]:
        top = self.indexAt(self.viewport().rect().topLeft())
        bottom = self.indexAt(self.viewport().rect().bottomLeft())
        first = top.row() if top.isValid() else 0
        last = bottom.row() if bottom.isValid() else min(self.count() - 1, first + 12)
        return list(range(first + 1, last + 2))

    def _fill_visible(self) -> None:
        for number in self._visible_numbers():
            if number in self._done or not 1 <= number <= len(self._pages):
                continue
            image = self.images.thumbnail(number, THUMBNAIL_WIDTH)
            if image is not None:
                self._done.add(number)
                pixmap = framed(QPixmap.fromImage(image), self.palette())
                icon = QIcon()
                # The same picture when selected: the list marks the selection around it,
                # not by tinting the page.
                icon.addPixmap(pixmap, QIcon.Mode.Normal)
                icon.addPixmap(pixmap, QIcon.Mode.Selected)
                self.item(number - 1).setIcon(icon)

    def _ready(self, number: int) -> None:
        if number not in self._done:
            self._timer.start()
