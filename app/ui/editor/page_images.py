"""Page images for the editor's canvas and its thumbnail sidebar, made off the UI thread and
cached, so scrolling a 500-page PDF never waits for a render.

Asking is instant: ``image``, ``tile`` and ``thumbnail`` answer with the best cached image
(or None) and queue what is missing; ``ready(page)`` says when to repaint. As in
pdfarranger's renderer, visible pages go first (``prioritise``), requests for pages scrolled
away are dropped before they are drawn, each worker takes the most important request only
when it starts, and a result for a page that changed meanwhile is dropped (every page has a
generation number, bumped by ``invalidate``).

``PdfPageImages`` draws a local PDF on the window's one PyMuPDF thread (PyMuPDF is not
thread-safe); ``UrlPageImages`` shows the page images the server made when the PDF is not
here.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage

from app.client.files import fetch_file
from app.core.errors import FolioError, InvalidPdfError
from app.ui.pdf_thread import pdf_runner
from app.ui.tasks import TaskContext, TaskRunner
from app.ui.thumbnails import cache_name

log = logging.getLogger(__name__)

Clip = tuple[float, float, float, float]
"""A region of the displayed page in points from its top-left corner: x0, y0, x1, y1."""

MB = 1024 * 1024
PAGE_CACHE_BYTES = 300 * MB  # pages and tiles
THUMBNAIL_CACHE_BYTES = 40 * MB
SCALE_TOLERANCE = 0.02  # a cached page image this close to the scale asked is the answer
# Tiles are drawn this much (of the visible size, on each side) beyond what is visible, so
# panning a little reuses them instead of drawing again.
TILE_MARGIN = 0.125
_EXACT = 1e-6


class Kind(IntEnum):
    """What is asked for; for a visible page, in the order they are drawn."""

    PAGE = 0
    TILE = 1
    THUMBNAIL = 2


@dataclass(frozen=True)
class Want:
    """``size``: pixels per point (PAGE, TILE) or pixels wide (THUMBNAIL); ``clip``: the
    region a tile covers, in points."""

    page: int
    kind: Kind
    size: float
    clip: Clip | None = None

    def met_by(self, other: Want) -> bool:
        """Whether an image (or a request) made for ``other`` answers this."""
        if (other.page, other.kind) != (self.page, self.kind):
            return False
        if self.kind is Kind.TILE:
            # Only the very scale: a tile's offset() is in pixels of that scale.
            return abs(other.size / self.size - 1) <= _EXACT and _covers(other.clip, self.clip)
        return abs(other.size / self.size - 1) <= SCALE_TOLERANCE


@dataclass
class Request:
    want: Want
    generation: int
    seq: int
    source: Any = None
    """What the worker needs to find the page: set by the subclass on the UI thread."""


@dataclass(frozen=True)
class Picture:
    """A cached image: what it was made for (a tile's clip: the points it covers) and its
    pixels per point."""

    image: QImage
    want: Want
    scale: float


@dataclass(frozen=True)
class Outcome:
    request: Request
    picture: Picture | None = None
    page_size: tuple[float, float] | None = None
    message: str = ""
    too_large: bool = False


class DrawFailure(Exception):
    """A request that cannot be met; ``message`` is the sentence for the designer."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def _covers(outer: Clip | None, inner: Clip | None) -> bool:
    if outer is None or inner is None:
        return outer is inner
    return (
        outer[0] <= inner[0] + _EXACT
        and outer[1] <= inner[1] + _EXACT
        and outer[2] >= inner[2] - _EXACT
        and outer[3] >= inner[3] - _EXACT
    )


def _cut(clip: Clip, page_size: tuple[float, float] | None) -> Clip | None:
    """``clip`` with its corners in order and cut to the page; None when nothing is left."""
    x0, y0 = min(clip[0], clip[2]), min(clip[1], clip[3])
    x1, y1 = max(clip[0], clip[2]), max(clip[1], clip[3])
    if page_size is not None:
        x0, y0 = max(x0, 0.0), max(y0, 0.0)
        x1, y1 = min(x1, page_size[0]), min(y1, page_size[1])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def clause(text: str) -> str:
    """A message made to follow a colon: first letter lower case (unless it starts an
    abbreviation like PDF), no final full stop."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


class RenderQueue:
    """Pending requests, at most one per page and kind (a newer one replaces it: the canvas
    asks for what it shows now). Added and dropped on the UI thread, taken by workers when
    they start, so a worker always draws what matters most at that moment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, Kind], Request] = {}
        self._running: dict[int, Request] = {}
        self._ranks: dict[int, int] = {}

    def add(self, request: Request) -> None:
        """Queue ``request`` unless one that meets it is being drawn for the page as it is
        now (same generation); one that meets it and is pending is only moved up (requests
        asked again recently go first)."""
        want = request.want
        with self._lock:
            for running in self._running.values():
                if running.generation == request.generation and want.met_by(running.want):
                    return
            key = (want.page, want.kind)
            pending = self._pending.get(key)
            if pending is not None and want.met_by(pending.want):
                pending.seq = request.seq
            else:
                self._pending[key] = request

    def take(self) -> Request | None:
        """The most important pending request, now counted as running (worker thread)."""
        with self._lock:
            if not self._pending:
                return None
            key = min(self._pending, key=lambda k: self._priority(self._pending[k]))
            request = self._pending.pop(key)
            self._running[request.seq] = request
            return request

    def _priority(self, request: Request) -> tuple[int, int, int]:
        rank = self._ranks.get(request.want.page)
        if rank is None:  # not among the visible pages: the newest request first
            return (len(self._ranks), 0, -request.seq)
        return (rank, request.want.kind, -request.seq)

    def finish(self, request: Request) -> None:
        with self._lock:
            self._running.pop(request.seq, None)

    def prioritise(self, pages: Sequence[int]) -> None:
        """Serve ``pages`` first, in that order, and drop pending page images and tiles of
        other pages. Thumbnails stay: the sidebar scrolls on its own."""
        with self._lock:
            self._ranks = {}
            for page in pages:
                self._ranks.setdefault(page, len(self._ranks))
            for key in [k for k in self._pending if k[1] is not Kind.THUMBNAIL]:
                if key[0] not in self._ranks:
                    del self._pending[key]

    def drop(self, page: int) -> None:
        with self._lock:
            for key in [k for k in self._pending if k[0] == page]:
                del self._pending[key]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def counts(self) -> tuple[int, int]:
        """Pending and running requests."""
        with self._lock:
            return len(self._pending), len(self._running)


class PictureCache:
    """Images by page and kind, least recently used dropped first beyond ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.bytes = 0
        self._entries: OrderedDict[Want, Picture] = OrderedDict()
        self._by_page: dict[int, set[Want]] = {}

    def put(self, picture: Picture) -> None:
        key = picture.want
        for old in self.of(key.page, key.kind):  # an image the new one makes redundant
            if old.want.met_by(key):
                self._remove(old.want)
        self._entries[key] = picture
        self._by_page.setdefault(key.page, set()).add(key)
        self.bytes += picture.image.sizeInBytes()
        while self.bytes > self.limit and len(self._entries) > 1:
            self._remove(next(iter(self._entries)))

    def find(self, want: Want) -> QImage | None:
        """The image of a picture that answers ``want``, now the most recently used."""
        for picture in self.of(want.page, want.kind):
            if want.met_by(picture.want):
                self._entries.move_to_end(picture.want)
                return picture.image
        return None

    def of(self, page: int, kind: Kind) -> list[Picture]:
        keys = self._by_page.get(page, ())
        return [self._entries[key] for key in keys if key.kind is kind]

    def drop(self, page: int) -> None:
        for key in list(self._by_page.get(page, ())):
            self._remove(key)

    def clear(self) -> None:
        self._entries.clear()
        self._by_page.clear()
        self.bytes = 0

    def _remove(self, key: Want) -> None:
        self.bytes -= self._entries.pop(key).image.sizeInBytes()
        keys = self._by_page[key.page]
        keys.discard(key)
        if not keys:
            del self._by_page[key.page]


class PageImages(QObject):
    """The cache and the render queue; subclasses say how a page is drawn (``_source`` on
    the UI thread, ``_draw`` in a worker). Every method is for the UI thread."""

    ready = Signal(int)  # a page whose images changed: repaint it
    failed = Signal(int, str)  # a page, and a sentence for the designer

    def __init__(
        self,
        runner: TaskRunner,
        page_cache_bytes: int = PAGE_CACHE_BYTES,
        thumbnail_cache_bytes: int = THUMBNAIL_CACHE_BYTES,
    ) -> None:
        super().__init__()
        self._runner = runner
        # One task waiting beside each running one, so a worker never idles until the UI
        # thread gets round to starting the next; each takes its request when it starts.
        self._max_tasks = runner.pool.maxThreadCount() + 1
        self._tasks = 0
        self._seq = 0
        self._queue = RenderQueue()
        self._pictures = PictureCache(page_cache_bytes)
        self._thumbnails = PictureCache(thumbnail_cache_bytes)
        self._generations: dict[int, int] = {}
        self._page_sizes: dict[int, tuple[float, float]] = {}
        self._broken: set[int] = set()  # pages that cannot be drawn, until invalidated
        self._too_large: dict[tuple[int, Kind], float] = {}  # smallest size refused
        self._reported: set[int] = set()
        self._closed = False

    # --- what the canvas and the sidebar ask -------------------------------------------

    def image(self, page: int, scale: float) -> QImage | None:
        """The page at ``scale`` pixels per point (zoom x device pixel ratio), answered at
        once: cached within 2 % of the scale, else the nearest cached image of the page
        (stretch it meanwhile) or None, and then the exact one is drawn and ``ready(page)``
        emitted."""
        want = Want(page, Kind.PAGE, _checked_scale(scale))
        exact = self._pictures.find(want)
        if exact is not None:
            return exact
        self._request(want)
        candidates = self._pictures.of(page, Kind.PAGE)
        candidates += self._thumbnails.of(page, Kind.THUMBNAIL)
        if not candidates:
            return None
        # The nearest in ratio; of two as near, the sharper.
        nearest = min(candidates, key=lambda p: (abs(math.log(p.scale / scale)), -p.scale))
        return nearest.image

    def tile(self, page: int, scale: float, clip: Clip) -> QImage | None:
        """Part of the page at ``scale`` covering ``clip`` (points from the displayed page's
        top-left), for high zoom; requested and signalled as ``image``. Only a tile drawn at
        this very scale is returned; its ``offset()`` is its top-left corner in pixels of the
        whole page at that scale (points = pixels / scale), and it may reach beyond the clip.
        """
        scale = _checked_scale(scale)
        cut = _cut(clip, self._page_sizes.get(page))
        if cut is None:
            return None
        want = Want(page, Kind.TILE, scale, cut)
        exact = self._pictures.find(want)
        if exact is None:
            self._request(replace(want, clip=self._with_margin(page, cut)))
        return exact

    def thumbnail(self, page: int, width: int) -> QImage | None:
        """The page ``width`` pixels wide (within 2 %), else the nearest cached thumbnail or
        None; requested and signalled as ``image``."""
        want = Want(page, Kind.THUMBNAIL, _checked_scale(width))
        exact = self._thumbnails.find(want)
        if exact is not None:
            return exact
        self._request(want)
        candidates = self._thumbnails.of(page, Kind.THUMBNAIL)
        if not candidates:
            return None
        return min(candidates, key=lambda p: abs(math.log(p.want.size / width))).image

    def prioritise(self, pages: Sequence[int]) -> None:
        """``pages`` are visible now, the most important first: their requests are drawn
        first, and queued page images and tiles of other pages are dropped undrawn.
        Queued thumbnails are kept (after these pages): the sidebar scrolls on its own."""
        self._queue.prioritise(pages)

    def invalidate(self, page: int) -> None:
        """Forget the page's images (it was replaced): drawings under way are dropped, a
        failure may be reported again, and ``ready(page)`` asks for a repaint."""
        if self._closed:
            return
        self._generations[page] = self._generations.get(page, 0) + 1
        self._queue.drop(page)
        self._pictures.drop(page)
        self._thumbnails.drop(page)
        self._page_sizes.pop(page, None)
        self._broken.discard(page)
        self._reported.discard(page)
        for key in [k for k in self._too_large if k[0] == page]:
            del self._too_large[key]
        self.ready.emit(page)

    def close(self) -> None:
        """Drop queued work and the images, let the worker finish what it is drawing and
        then free the document; nothing is emitted after this. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._pictures.clear()
        self._thumbnails.clear()
        self._runner.run(lambda _context: self._shut_down(), name="close page images")

    def wait(self, msecs: int = 10_000) -> bool:
        """Wait for the workers to go idle (tests; at exit after ``close``). On a shared
        runner that includes its other work."""
        return self._runner.wait(msecs)

    @property
    def busy(self) -> int:
        """Requests queued or being drawn (0 when everything asked for has arrived)."""
        pending, running = self._queue.counts()
        return pending + running

    @property
    def cached_bytes(self) -> tuple[int, int]:
        """Bytes of images held: pages and tiles, thumbnails."""
        return self._pictures.bytes, self._thumbnails.bytes

    # --- for subclasses --------------------------------------------------------------------

    def _source(self, page: int) -> Any:
        """What ``_draw`` needs to find the page (UI thread, when the request is made)."""
        return None

    def _draw(self, request: Request) -> tuple[Picture, tuple[float, float]]:
        """The picture and the displayed page's size in points (a worker thread). Raises
        DrawFailure with a sentence for the designer."""
        raise NotImplementedError

    def _shut_down(self) -> None:
        """Free what the workers hold (a worker thread, after every render)."""

    # --- the queue ---------------------------------------------------------------------

    def _with_margin(self, page: int, clip: Clip) -> Clip:
        x0, y0, x1, y1 = clip
        dx, dy = (x1 - x0) * TILE_MARGIN, (y1 - y0) * TILE_MARGIN
        return _cut((x0 - dx, y0 - dy, x1 + dx, y1 + dy), self._page_sizes.get(page)) or clip

    def _request(self, want: Want) -> None:
        if self._closed or want.page in self._broken:
            return
        refused = self._too_large.get((want.page, want.kind))
        if refused is not None and want.size >= refused:
            return
        self._seq += 1
        generation = self._generations.get(want.page, 0)
        self._queue.add(Request(want, generation, self._seq, self._source(want.page)))
        self._pump()

    def _pump(self) -> None:
        pending, running = self._queue.counts()
        while not self._closed and self._tasks < min(self._max_tasks, pending + running):
            self._tasks += 1
            # Counted down in on_done/on_error, not on_finished: the runner lets go of a task's
            # handle in its first "finished" slot, and Qt may delete it before ours runs.
            self._runner.run(
                self._work,
                name="page image",
                on_done=self._done,
                on_error=lambda _error: self._task_ended(),
                owner=self,
            )

    def _work(self, _context: TaskContext) -> Outcome | None:
        """A worker thread: draw the most important request pending now."""
        request = self._queue.take()
        if request is None:
            return None
        try:
            picture, page_size = self._draw(request)
        except DrawFailure as failure:
            return Outcome(request, message=str(failure), too_large=failure.too_large)
        except Exception:  # a bug: logged with its traceback, the designer told briefly
            log.exception("page %d could not be drawn", request.want.page)
            return Outcome(request, message=f"Page {request.want.page} could not be drawn.")
        return Outcome(request, picture, page_size)

    def _task_ended(self) -> None:
        self._tasks -= 1
        self._pump()

    def _done(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self._queue.finish(outcome.request)
            self._deliver(outcome)
        self._task_ended()

    def _deliver(self, outcome: Outcome) -> None:
        want = outcome.request.want
        if self._closed or outcome.request.generation != self._generations.get(want.page, 0):
            return  # closed, or the page changed while it was drawn
        if outcome.picture is not None:
            if outcome.page_size is not None:
                self._page_sizes[want.page] = outcome.page_size
            cache = self._thumbnails if want.kind is Kind.THUMBNAIL else self._pictures
            cache.put(outcome.picture)
            self.ready.emit(want.page)
            return
        if outcome.too_large:
            key = (want.page, want.kind)
            self._too_large[key] = min(want.size, self._too_large.get(key, math.inf))
        else:
            self._broken.add(want.page)
        if want.page not in self._reported:
            self._reported.add(want.page)
            self.failed.emit(want.page, outcome.message)


def _checked_scale(scale: float) -> float:
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale < math.inf:
        raise ValueError(f"a scale or width must be a positive number, not {scale!r}")
    return float(scale)


def _rgb32(image: QImage) -> QImage:
    # The fastest format to paint on a window; converting makes a copy that owns its pixels.
    return image.convertToFormat(QImage.Format.Format_RGB32)


class PdfPageImages(PageImages):
    """A local PDF's pages drawn with PyMuPDF on the window's one PyMuPDF thread
    (``pdf_runner``, or the serial ``runner`` given): PyMuPDF shares one MuPDF context
    between documents, so no two threads may use it at once, whatever the document. The
    file is opened at once (so the first page does not wait for PyMuPDF's import) and freed
    on ``close``.

    ``replacements`` (and ``set_replacement``) show page ``source_page`` of another PDF in
    place of a page: the preview of a page replacement.
    """

    def __init__(
        self,
        path: Path,
        replacements: Mapping[int, tuple[Path, int]] | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(runner or pdf_runner())
        self.path = Path(path)
        self._replacements = {page: (Path(p), n) for page, (p, n) in (replacements or {}).items()}
        self._version = 0  # of the files: ``reopen`` counts up, requests carry it
        # The worker's own: only ever touched on the worker thread.
        self._documents: dict[Path, tuple[int, Any]] = {}
        self._open_failures: dict[tuple[Path, int], str] = {}
        self._warm_up()

    def set_replacement(self, page: int, source_path: Path, source_page: int) -> None:
        """Show page ``source_page`` (1-based) of ``source_path`` in place of ``page``."""
        self._replacements[page] = (Path(source_path), source_page)
        self.invalidate(page)

    def clear_replacement(self, page: int) -> None:
        """Show the PDF's own page again."""
        if self._replacements.pop(page, None) is not None:
            self.invalidate(page)

    def reopen(self) -> None:
        """Read the PDF again: it was saved in place with its replacements, which are
        dropped now. The images stay (the replaced pages already showed their new
        content); whatever is drawn from now on comes from the file as saved."""
        if self._closed:
            return
        self._replacements.clear()
        self._version += 1
        self._warm_up()

    def _source(self, page: int) -> tuple[Path, int, int]:
        path, number = self._replacements.get(page, (self.path, page))
        return path, number, self._version

    def _warm_up(self) -> None:
        """Open the PDF on the worker now, before the first page is asked for."""
        version = self._version

        def open_it(_context: TaskContext) -> None:
            with contextlib.suppress(DrawFailure):  # said when a page needs it
                self._document(self.path, version)

        self._runner.run(open_it, name="open the PDF")

    def _document(self, path: Path, version: int) -> Any:
        """The PDF at ``path`` as opened at ``version`` or later (a worker thread);
        DrawFailure (saying why, to follow "could not be opened") when it can't be."""
        # Imported here, on the worker: PyMuPDF takes over a second to import.
        from app.pdf.document import PdfDocument

        opened = self._documents.get(path)
        if opened is not None and opened[0] >= version:
            return opened[1]
        if (path, version) in self._open_failures:
            raise DrawFailure(self._open_failures[path, version])
        try:
            document = PdfDocument.open(path)
        except (FolioError, OSError) as error:
            reason = error.strerror if isinstance(error, OSError) else None
            self._open_failures[path, version] = clause(reason or str(error))
            raise DrawFailure(self._open_failures[path, version]) from None
        if opened is not None:
            opened[1].close()
        self._documents[path] = (version, document)
        return document

    def _draw(self, request: Request) -> tuple[Picture, tuple[float, float]]:
        from app.pdf.page_pixels import displayed_page_size, page_pixel_size, render_pixels

        want = request.want
        path, number, version = request.source
        try:
            document = self._document(path, version)
        except DrawFailure as failure:
            raise DrawFailure(
                f"Page {want.page} could not be drawn: {path.name} could not be opened ({failure})."
            ) from None
        try:
            width, height = displayed_page_size(document, number)
            scale = want.size / width if want.kind is Kind.THUMBNAIL else want.size
            pixels = render_pixels(document, number, scale, want.clip)
        except InvalidPdfError as error:
            raise self._failure(want, path, number, error) from None
        except ValueError as error:  # the page is not in the file (any more)
            raise DrawFailure(
                f"Page {want.page} could not be drawn: {clause(str(error))}."
            ) from None
        image = _rgb32(
            QImage(
                pixels.samples,
                pixels.width,
                pixels.height,
                pixels.stride,
                QImage.Format.Format_RGB888,
            )
        )
        image.setOffset(QPoint(pixels.x, pixels.y))
        full_width, full_height = page_pixel_size(width, height, scale)
        scale_x, scale_y = full_width / width, full_height / height
        clip = None
        if want.kind is Kind.TILE:  # what the tile covers: its pixels, in points
            clip = (
                pixels.x / scale_x,
                pixels.y / scale_y,
                (pixels.x + pixels.width) / scale_x,
                (pixels.y + pixels.height) / scale_y,
            )
        return Picture(image, replace(want, clip=clip), scale_x), (width, height)

    def _failure(self, want: Want, path: Path, number: int, error: InvalidPdfError) -> DrawFailure:
        page = f"Page {want.page}"
        if path != self.path:
            page = f"The replacement for page {want.page} (page {number} of {path.name})"
        if error.reason == "too_large":
            return DrawFailure(f"{page} is too large to be drawn at this zoom.", too_large=True)
        if error.reason == "damaged":
            return DrawFailure(f"{page} is damaged and could not be drawn.")
        return DrawFailure(f"{page} could not be drawn: {clause(str(error))}.")

    def _shut_down(self) -> None:
        for _version, document in self._documents.values():
            document.close()
        self._documents.clear()


class UrlPageImages(PageImages):
    """The page images the server made (800 px JPEGs at ``image_urls``), for a publication
    whose PDF is not here: downloaded by two workers, kept on disk in ``cache_dir`` when
    given, and scaled smoothly to the size asked. There is no finer detail, so ``tile``
    always answers None.

    ``page_sizes`` (displayed width and height in points, as the API's page data says)
    relate a scale to pixels; without a page's size its image's pixels count as points.
    """

    def __init__(
        self,
        image_urls: Mapping[int, str],
        cache_dir: Path | None,
        page_sizes: Mapping[int, tuple[float, float]] | None = None,
    ) -> None:
        pool = QThreadPool()
        pool.setMaxThreadCount(2)  # its own: downloads never hold up PDF work or a sync
        super().__init__(TaskRunner(pool))
        pool.setParent(self)  # destroyed with this object, once its downloads ended
        self._urls = dict(image_urls)
        self._sizes = dict(page_sizes or {})
        self._downloads = PageDownloads(cache_dir)

    def tile(self, page: int, scale: float, clip: Clip) -> QImage | None:
        return None

    def _source(self, page: int) -> tuple[str | None, tuple[float, float] | None]:
        return self._urls.get(page), self._sizes.get(page)

    def _draw(self, request: Request) -> tuple[Picture, tuple[float, float]]:
        want = request.want
        url, page_size = request.source
        if url is None:
            raise DrawFailure(f"Page {want.page} has no image on the server.")
        try:
            original = self._downloads.image(url)
        except (FolioError, ValueError) as error:
            raise DrawFailure(
                f"Page {want.page}'s image could not be downloaded: {clause(str(error))}."
            ) from None
        width, height = page_size or (float(original.width()), float(original.height()))
        if want.kind is Kind.THUMBNAIL:
            pixel_width = round(want.size)
            pixel_height = max(1, round(want.size * height / width))
        else:
            pixel_width, pixel_height = (
                max(1, round(width * want.size)),
                max(1, round(height * want.size)),
            )
        image = original.scaled(
            pixel_width,
            pixel_height,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        return Picture(_rgb32(image), want, pixel_width / width), (width, height)


class PageDownloads:
    """Downloaded page images, shared by the download threads: a page and its thumbnail
    asked at once download once. The newest are kept in memory (``limit`` bytes), all on
    disk in ``directory`` when given. Thread-safe."""

    def __init__(self, directory: Path | None, limit: int = 64 * MB) -> None:
        self.directory = directory
        self.limit = limit
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._bytes = 0

    def image(self, url: str) -> QImage:
        """The image at ``url``. Raises FolioError (TransportError, ApiError) when it can't
        be downloaded, ValueError when it is not an image."""
        with self._lock:
            if url in self._images:
                self._images.move_to_end(url)
                return self._images[url]
            loading = self._loading.setdefault(url, threading.Lock())
        with loading:
            with self._lock:
                if url in self._images:
                    return self._images[url]
            image = self._load(url)
            with self._lock:
                self._loading.pop(url, None)
                self._images[url] = image
                self._bytes += image.sizeInBytes()
                while self._bytes > self.limit and len(self._images) > 1:
                    self._bytes -= self._images.popitem(last=False)[1].sizeInBytes()
        return image

    def _load(self, url: str) -> QImage:
        # Its own suffix: the covers' cache may share the directory and scales its images.
        path = None
        if self.directory is not None:
            path = self.directory / Path(cache_name(url)).with_suffix(".page")
            with contextlib.suppress(OSError):  # not there (or unreadable): download it
                image = QImage.fromData(path.read_bytes())
                if not image.isNull():
                    return image
        data = fetch_file(url)
        image = QImage.fromData(data)
        if image.isNull():
            raise ValueError("the file is not an image")
        if path is not None:
            try:
                _write_whole(path, data)
            except OSError as error:  # only the next start is slower
                log.warning("a page image could not be kept in the cache: %s", error)
        return image


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a half-written file would be read as
    a broken image on the next start)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
