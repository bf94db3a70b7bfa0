"""Cover thumbnails for the table: downloaded and scaled in workers, kept on disk in the
cache dir and in memory, so scrolling never waits for the network."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from app.client.files import fetch_file
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

THUMBNAIL_HEIGHT = 56
MEMORY_ITEMS = 600


def cache_name(url: str) -> str:
    """The embedded server's port changes between runs, so the host is left out of the key:
    file names on the server are content addressed."""
    parts = urlsplit(url)
    return hashlib.sha1(f"{parts.path}?{parts.query}".encode()).hexdigest() + ".png"


def load_thumbnail(url: str, directory: Path, height: int = THUMBNAIL_HEIGHT) -> QImage:
    """From the disk cache, else downloaded, scaled and stored there (runs in a worker)."""
    path = directory / cache_name(url)
    if path.is_file():
        image = QImage(str(path))
        if not image.isNull():
            return image
    image = QImage.fromData(fetch_file(url))
    if image.isNull():
        raise ValueError("the cover is not an image")
    image = image.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
    directory.mkdir(parents=True, exist_ok=True)
    image.save(str(path), "PNG")
    return image


class ThumbnailCache(QObject):
    """``pixmap(url)`` answers at once: the thumbnail, or None while it is fetched (then
    ``ready(url)`` fires)."""

    ready = Signal(str)

    def __init__(self, directory: Path, height: int = THUMBNAIL_HEIGHT) -> None:
        super().__init__()
        self.directory = directory
        self.height = height
        # Its own two threads: covers never hold up the user's actions or a sync.
        pool = QThreadPool(self)
        pool.setMaxThreadCount(2)
        self.runner = TaskRunner(pool)
        self._memory: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: set[str] = set()

    def pixmap(self, url: str | None) -> QPixmap | None:
        if not url:
            return None
        pixmap = self._memory.get(url)
        if pixmap is not None:
            self._memory.move_to_end(url)
            return pixmap
        if url not in self._pending and url not in self._failed:
            self._pending.add(url)
            self.runner.run(
                lambda _context: self._load(url),
                name="thumbnail",
                on_done=lambda image: self._loaded(url, image),
                on_error=lambda exc: self._load_failed(url, exc),
            )
        return None

    def _load(self, url: str) -> QImage:
        return load_thumbnail(url, self.directory, self.height)

    def _loaded(self, url: str, image: QImage) -> None:
        self._pending.discard(url)
        self._memory[url] = QPixmap.fromImage(image)
        while len(self._memory) > MEMORY_ITEMS:
            self._memory.popitem(last=False)
        self.ready.emit(url)

    def _load_failed(self, url: str, exc: BaseException) -> None:
        # A missing cover is not worth a message: the row shows its placeholder.
        self._pending.discard(url)
        self._failed.add(url)
        log.info("no thumbnail for a cover: %s", exc)

    def forget_failures(self) -> None:
        """Try covers that failed again (after the server came back, say)."""
        self._failed.clear()

    def wait(self, msecs: int = 10_000) -> bool:
        return self.runner.wait(msecs)
