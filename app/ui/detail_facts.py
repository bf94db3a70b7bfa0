"""The read-only top of the detail panel: cover, state, sync marker and the facts the server
keeps (pages, id, times, public address). These refresh after every sync, even while the
form below holds unsaved edits."""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QImage, QPixmap
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.timestamps import parse_datetime
from app.mirror.library import Item
from app.ui.tasks import TaskRunner
from app.ui.thumbnails import load_thumbnail

log = logging.getLogger(__name__)

COVER_HEIGHT = 180
CACHED_COVERS = 24
LINK_WIDTH = 240  # pixels: a long address is shortened in the middle, the tooltip has it all
GOOD = "#2e7d32"
ERROR = "#c62828"

# Outlined pills: the good state in its accent colour, the others in palette roles.
BADGE_COLORS = {"online": GOOD, "unlisted": "palette(link)", "offline": "palette(mid)"}
BADGE_TIPS = {
    "online": "Online: readers can find and open it",
    "unlisted": "Online but unlisted: only people with the link can open it",
    "offline": "Offline: readers can't open it",
}


def state_of(data: dict[str, object]) -> str:
    if data.get("state") == "online":
        return "unlisted" if data.get("disable_seo") else "online"
    return "offline"


def local_time(text: object) -> str:
    """An API timestamp in this computer's time zone, to the minute; '—' when there is none."""
    if not isinstance(text, str) or not text:
        return "—"
    try:
        return parse_datetime(text).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return "—"


def shown_url(url: str) -> str:
    """The address without its query or fragment: never shown, they may carry tokens."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def sync_marker(item: Item) -> tuple[str, str]:
    """Rich text for the sync marker and its tooltip; a conflict links to the dialog."""
    if item.conflict:
        return (
            '⚠ <a href="conflicts">Changed here and on the server: choose a version…</a>',
            "Opens the conflicts, where you keep either version or merge them per field",
        )
    if item.sync_error:
        return (
            f'<span style="color: {ERROR};">✖ The server refused the last change</span>',
            item.sync_error,
        )
    if item.id < 0:
        return "● Created here; sent at the next sync", "Not on the server yet"
    if item.pending:
        return "● Changed here; sent at the next sync", "Waiting to be sent to the server"
    return f'<span style="color: {GOOD};">✔ Up to date</span>', "Same as on the server"


class PublicationFacts(QWidget):
    conflicts_requested = Signal()

    def __init__(self, runner: TaskRunner, cover_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.cover_dir = cover_dir
        self._covers: OrderedDict[str, QPixmap] = OrderedDict()
        self._cover_url: str | None = None

        self.cover = QLabel()
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setFixedHeight(COVER_HEIGHT + 8)
        self.cover.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.heading.setFont(font)
        self.badge = QLabel()
        self.marker = QLabel()
        self.marker.setWordWrap(True)
        self.marker.linkActivated.connect(lambda _link: self.conflicts_requested.emit())

        self.pages = QLabel()
        self.ident = QLabel()
        self.ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.created = QLabel()
        self.updated = QLabel()
        self.link = QLabel()
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setWordWrap(True)
        self.link.linkActivated.connect(self._open_link)

        states = QHBoxLayout()
        states.setSpacing(10)
        states.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        states.addWidget(self.marker, 1)
        details = QFormLayout()
        details.setVerticalSpacing(4)
        details.addRow("Pages", self.pages)
        details.addRow("ID", self.ident)
        details.addRow("Created", self.created)
        details.addRow("Updated", self.updated)
        details.addRow("Public link", self.link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.cover)
        layout.addWidget(self.heading)
        layout.addLayout(states)
        layout.addLayout(details)

    def show_item(self, item: Item) -> None:
        data = item.data
        self.heading.setText(str(data.get("title") or "Untitled"))
        state = state_of(data)
        self.badge.setText(state)
        self.badge.setToolTip(BADGE_TIPS[state])
        color = BADGE_COLORS[state]
        self.badge.setStyleSheet(
            f"QLabel {{ border: 1px solid {color}; color: {color}; border-radius: 9px;"
            " padding: 1px 10px; font-weight: bold; }"
        )
        text, tip = sync_marker(item)
        self.marker.setText(text)
        self.marker.setToolTip(tip)
        pages = int(data.get("page_count") or 0)
        self.pages.setText(str(pages) if pages else "None converted yet")
        self.ident.setText(str(item.id) if item.id > 0 else "None yet (created here)")
        self.created.setText(local_time(data.get("created_at")))
        self.updated.setText(local_time(data.get("updated_at")))
        self._show_link(data.get("public_url"))
        self._show_cover(data.get("cover_url"))

    def _show_link(self, url: object) -> None:
        if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
            address = shown_url(url)
            parts = urlsplit(address)
            text = self.link.fontMetrics().elidedText(
                parts.netloc + parts.path, Qt.TextElideMode.ElideMiddle, LINK_WIDTH
            )
            self.link.setText(f'<a href="{html.escape(address)}">{html.escape(text)}</a>')
            self.link.setToolTip(f"Open {address} in the browser")
        else:
            self.link.setText("Not published yet (no converted pages)")
            self.link.setToolTip("")

    def _open_link(self, address: str) -> None:
        QDesktopServices.openUrl(QUrl(address))

    # --- the cover --------------------------------------------------------------------

    def _show_cover(self, url: object) -> None:
        if not isinstance(url, str) or not url:
            # Nothing to show until the pages are converted: no empty box taking the space.
            self._cover_url = None
            self.cover.setPixmap(QPixmap())
            self.cover.hide()
            return
        self.cover.show()
        if url == self._cover_url and not self.cover.pixmap().isNull():
            return
        self._cover_url = url
        cached = self._covers.get(url)
        if cached is not None:
            self.cover.setPixmap(cached)
            return
        self.cover.setPixmap(QPixmap())
        self.cover.setText("Loading the cover…")
        directory = self.cover_dir
        self.runner.run(
            lambda _context: load_thumbnail(url, directory, COVER_HEIGHT),
            name="cover",
            on_done=lambda image: self._cover_loaded(url, image),
            on_error=lambda exc: self._cover_failed(url, exc),
        )

    def _cover_loaded(self, url: str, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image)
        self._covers[url] = pixmap
        while len(self._covers) > CACHED_COVERS:
            self._covers.popitem(last=False)
        if url == self._cover_url:  # another publication may be shown by now
            self.cover.setPixmap(pixmap)

    def _cover_failed(self, url: str, exc: BaseException) -> None:
        log.info("no cover for the detail panel: %s", exc)
        if url == self._cover_url:
            self.cover.setText("The cover could not be loaded")
