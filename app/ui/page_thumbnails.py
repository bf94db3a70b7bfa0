"""A publication's pages as thumbnails to choose from (the pages dialog).

The thumbnails the server rendered (200 px wide) are downloaded in workers, visible pages
first, and kept in the cache dir; a drawn blank page stands in until each arrives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from app.ui.thumbnails import ThumbnailCache

END = 0
"""The data of the "At the end" item: new pages go after the last one."""

THUMB = QSize(112, 150)
NUMBER_ROLE = Qt.ItemDataRole.UserRole
URL_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class PageInfo:
    number: int
    thumbnail_url: str | None


def pages_of(spreads: Iterable[Mapping[str, Any]]) -> list[PageInfo]:
    """The pages of a publication's spreads (API or mirror data), by page number."""
    pages: dict[int, PageInfo] = {}
    for spread in spreads:
        for page in spread.get("pages") or []:
            number = page.get("number") if isinstance(page, Mapping) else None
            if isinstance(number, int) and not isinstance(number, bool) and number not in pages:
                url = page.get("thumbnail_url")
                pages[number] = PageInfo(number, url if isinstance(url, str) else None)
    return [pages[number] for number in sorted(pages)]


def blank_page(palette: QPalette, mark: str = "") -> QPixmap:
    """A page outline in the palette's colours, with ``mark`` in the middle."""
    pixmap = QPixmap(THUMB)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(palette.color(QPalette.ColorRole.Mid))
    painter.setBrush(palette.color(QPalette.ColorRole.Base))
    painter.drawRect(QRect(4, 2, THUMB.width() - 9, THUMB.height() - 5))
    if mark:
        font = QFont(painter.font())
        font.setPointSize(28)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, mark)
    painter.end()
    return pixmap


def framed(pixmap: QPixmap, palette: QPalette) -> QPixmap:
    """``pixmap`` inside a thin outline, so a white page shows on a white list."""
    result = QPixmap(pixmap.width() + 2, pixmap.height() + 2)
    result.fill(Qt.GlobalColor.transparent)
    painter = QPainter(result)
    painter.drawPixmap(1, 1, pixmap)
    painter.setPen(palette.color(QPalette.ColorRole.Mid))
    painter.drawRect(0, 0, result.width() - 1, result.height() - 1)
    painter.end()
    return result


class PageStrip(QListWidget):
    """Pages as icons, one chosen at a time. ``chosen()`` is a page number, ``END`` for the
    "At the end" item (when ``end_item``), or None. ``loaded`` holds the page numbers whose
    real thumbnail is shown."""

    def __init__(self, cache_dir: Path, *, end_item: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.end_item = end_item
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 28, THUMB.height() + 34))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMinimumHeight(THUMB.height() + 50)
        self.loaded: set[int] = set()
        # Not a child of the strip: downloads under way finish after the dialog is gone.
        self.cache = ThumbnailCache(cache_dir, height=THUMB.height())
        self.cache.ready.connect(self._thumbnail_ready)
        self._blank = QIcon(blank_page(self.palette()))
        self._items_by_url: dict[str, list[QListWidgetItem]] = {}
        # Visible pages are asked for after scrolling or resizing settles.
        self._visible_timer = QTimer(self)
        self._visible_timer.setSingleShot(True)
        self._visible_timer.setInterval(60)
        self._visible_timer.timeout.connect(self._request_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._visible_timer.start())

    def set_pages(self, pages: list[PageInfo]) -> None:
        """Show ``pages``, keeping the choice when that page is still there."""
        before = self.chosen()
        self.clear()
        self._items_by_url.clear()
        self.loaded.clear()
        for page in pages:
            item = QListWidgetItem(self._blank, f"Page {page.number}")
            item.setData(NUMBER_ROLE, page.number)
            item.setData(URL_ROLE, page.thumbnail_url)
            item.setToolTip(f"Page {page.number}")
            self.addItem(item)
            if page.thumbnail_url:
                self._items_by_url.setdefault(page.thumbnail_url, []).append(item)
        if self.end_item:
            item = QListWidgetItem(QIcon(blank_page(self.palette(), "+")), "At the end")
            item.setData(NUMBER_ROLE, END)
            item.setToolTip("After the last page")
            self.addItem(item)
        if before is not None:
            self.choose(before)
        self._visible_timer.start()

    def chosen(self) -> int | None:
        item = self.currentItem()
        if item is None or not item.isSelected():
            return None
        return int(item.data(NUMBER_ROLE))

    def choose(self, number: int) -> bool:
        """Select page ``number`` (or ``END``); False when it isn't shown."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(NUMBER_ROLE) == number:
                self.setCurrentItem(item)
                self.scrollToItem(item)
                return True
        return False

    def page_numbers(self) -> list[int]:
        numbers = (int(self.item(row).data(NUMBER_ROLE)) for row in range(self.count()))
        return [number for number in numbers if number != END]

    # --- thumbnails --------------------------------------------------------------------

    def _request_visible(self) -> None:
        # One screenful below the view too, so scrolling on finds them ready.
        area = self.viewport().rect()
        area.setHeight(area.height() * 2)
        for row in range(self.count()):
            item = self.item(row)
            url = item.data(URL_ROLE)
            if not url or not self.visualItemRect(item).intersects(area):
                continue
            pixmap = self.cache.pixmap(url)
            if pixmap is not None:
                self._show_thumbnail(item, pixmap)

    def _thumbnail_ready(self, url: str) -> None:
        pixmap = self.cache.pixmap(url)
        if pixmap is None:
            return
        for item in self._items_by_url.get(url, []):
            self._show_thumbnail(item, pixmap)

    def _show_thumbnail(self, item: QListWidgetItem, pixmap: QPixmap) -> None:
        item.setIcon(QIcon(framed(pixmap, self.palette())))
        self.loaded.add(int(item.data(NUMBER_ROLE)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._visible_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._visible_timer.start()
