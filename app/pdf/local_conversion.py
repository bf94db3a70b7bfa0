"""Converts a PDF into a folder of page images, thumbnails and a ``manifest.json``, with the
same ``app.pdf`` code the server's conversions run (``folio convert``, local previews).

The folder::

    page-0001.jpg ...               each page as displayed (CropBox, /Rotate), ``width`` px wide
    thumbnails/page-0001.jpg ...    200 px wide
    manifest.json                   written last: its presence means the conversion finished

Rendering runs in this process (``jobs == 1``) or in a pool of spawned processes that each
open the document once and render the pages they are handed.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.enums import LayoutType
from app.core.errors import FolioError
from app.core.hotspots import AnnotationWarning, Hotspot
from app.core.spreads import spread_page_groups
from app.pdf.annotation_reader import read_hotspots
from app.pdf.document import PdfDocument
from app.pdf.render import DEFAULT_WIDTH, MAX_WIDTH, ImageFormat, render_page_and_thumbnail
from app.pdf.render_worker import cached_document, init_worker

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
THUMBNAIL_DIR = "thumbnails"
EXTENSIONS = {ImageFormat.JPEG: ".jpg", ImageFormat.PNG: ".png"}
# Seconds between looks at the cancel event while the pool renders.
CANCEL_POLL = 0.05

Progress = Callable[[int, int], None]


class ConversionCanceled(FolioError):
    """The conversion was canceled before it finished; no manifest was written."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__(f"The conversion was canceled after {done} of {total} pages.")


@dataclass(frozen=True)
class ManifestPage:
    number: int
    """1-based."""
    width_pt: float
    height_pt: float
    """Displayed size in points (CropBox, /Rotate)."""
    rotation: int
    crop_box: tuple[float, float, float, float]
    """CropBox in PDF user space: points, origin bottom-left."""
    image: str
    """File name relative to the output folder."""
    image_width: int
    image_height: int
    thumbnail: str


@dataclass(frozen=True)
class Manifest:
    source: str
    """The PDF's file name."""
    page_count: int
    width: int
    format: ImageFormat
    pages: list[ManifestPage]
    spreads: list[list[int]]
    hotspots: list[Hotspot]
    warnings: list[AnnotationWarning]
    notices: list[str]

    def to_json(self) -> dict[str, Any]:
        """The manifest as ``manifest.json`` holds it."""
        return {
            "source": self.source,
            "page_count": self.page_count,
            "width": self.width,
            "format": self.format.value,
            "pages": [
                {
                    "number": p.number,
                    "width_pt": p.width_pt,
                    "height_pt": p.height_pt,
                    "rotation": p.rotation,
                    "crop_box": list(p.crop_box),
                    "image": p.image,
                    "image_width": p.image_width,
                    "image_height": p.image_height,
                    "thumbnail": p.thumbnail,
                }
                for p in self.pages
            ],
            "spreads": self.spreads,
            "hotspots": [hotspot_json(h) for h in self.hotspots],
            "warnings": [warning_json(w) for w in self.warnings],
            "notices": self.notices,
        }


def hotspot_json(hotspot: Hotspot) -> dict[str, Any]:
    """A hotspot as the manifest and ``folio hotspots extract --json`` print it; ``rect`` is
    PDF user space (points, origin bottom-left)."""
    r = hotspot.rect
    return {
        "page": hotspot.page,
        "type": hotspot.type.value,
        "rect": [r.x0, r.y0, r.x1, r.y1],
        "properties": hotspot.properties,
    }


def warning_json(warning: AnnotationWarning) -> dict[str, Any]:
    return {"page": warning.page, "reason": warning.reason}


def image_name(page: int, image_format: ImageFormat) -> str:
    return f"page-{page:04d}{EXTENSIONS[image_format]}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the name never holds half a file."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _PageImages:
    page: int
    image_width: int
    image_height: int


def _save_page(
    doc: PdfDocument, page: int, out_dir: Path, width: int, image_format: ImageFormat
) -> _PageImages:
    image, thumbnail = render_page_and_thumbnail(doc, page, width, image_format)
    name = image_name(page, image_format)
    write_atomically(out_dir / name, image.data)
    write_atomically(out_dir / THUMBNAIL_DIR / name, thumbnail.data)
    return _PageImages(page, image.width, image.height)


def _render_in_worker(
    source: str, page: int, out_dir: str, width: int, image_format: ImageFormat
) -> _PageImages:
    return _save_page(cached_document(source), page, Path(out_dir), width, image_format)


def _render_with_pool(
    doc: PdfDocument,
    source: Path,
    out_dir: Path,
    width: int,
    image_format: ImageFormat,
    workers: int,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> dict[int, _PageImages]:
    """Render with ``workers`` spawned processes and this one.

    A spawned process needs most of a second to import PyMuPDF, so this process, which has
    the document open already, renders from the first page on while the pool renders from
    the last page back, and they meet. The last ``workers`` pages always go to the pool: its
    processes must finish starting before they can exit anyway, and so every run with a pool
    goes through it. One page a task: within the noise of contiguous chunks in our
    measurements (a task costs well under a millisecond against 5-20 ms of drawing), and
    what lets the two sides meet anywhere.
    """
    total = doc.page_count
    done: dict[int, _PageImages] = {}
    executor = ProcessPoolExecutor(
        max_workers=workers,
        # Spawned, not forked: the caller may have threads (the GUI's workers), and a fork
        # copies their locks in whatever state they are.
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
    )

    def collect() -> bool:
        finished = [page for page, future in futures.items() if future.done()]
        for page in finished:
            done[page] = futures.pop(page).result()  # re-raises a worker's error
        return bool(finished)

    try:
        futures: dict[int, Future[_PageImages]] = {
            page: executor.submit(
                _render_in_worker, str(source), page, str(out_dir), width, image_format
            )
            for page in range(total, 0, -1)
        }
        for page in range(1, total - workers + 1):
            if cancel is not None and cancel.is_set():
                raise ConversionCanceled(len(done), total)
            # The pool takes pages in descending order: once it has started (or finished
            # and handed in) one, it has started or finished every page after it.
            future = futures.get(page)
            if future is None or not future.cancel():
                break
            del futures[page]
            done[page] = _save_page(doc, page, out_dir, width, image_format)
            collect()
            if progress is not None:
                progress(len(done), total)
        while futures:
            if cancel is not None and cancel.is_set():
                raise ConversionCanceled(len(done), total)
            wait(futures.values(), timeout=CANCEL_POLL, return_when=FIRST_COMPLETED)
            if collect() and progress is not None:
                progress(len(done), total)
    finally:
        # On failure or cancel, drop the queued pages; the pages being drawn take a moment.
        executor.shutdown(wait=True, cancel_futures=True)
    return done


def _render_here(
    doc: PdfDocument,
    out_dir: Path,
    width: int,
    image_format: ImageFormat,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> dict[int, _PageImages]:
    done: dict[int, _PageImages] = {}
    for page in range(1, doc.page_count + 1):
        if cancel is not None and cancel.is_set():
            raise ConversionCanceled(len(done), doc.page_count)
        done[page] = _save_page(doc, page, out_dir, width, image_format)
        if progress is not None:
            progress(page, doc.page_count)
    return done


def _manifest_pages(
    doc: PdfDocument, rendered: dict[int, _PageImages], image_format: ImageFormat
) -> list[ManifestPage]:
    pages = []
    for number in range(1, doc.page_count + 1):
        box = doc.page_box(number)
        display_width, display_height = box.display_size
        name = image_name(number, image_format)
        pages.append(
            ManifestPage(
                number=number,
                width_pt=display_width,
                height_pt=display_height,
                rotation=box.rotation,
                crop_box=(box.crop.x0, box.crop.y0, box.crop.x1, box.crop.y1),
                image=name,
                image_width=rendered[number].image_width,
                image_height=rendered[number].image_height,
                thumbnail=f"{THUMBNAIL_DIR}/{name}",
            )
        )
    return pages


def convert_pdf(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    width: int = DEFAULT_WIDTH,
    image_format: ImageFormat = ImageFormat.JPEG,
    jobs: int = 1,
    layout: LayoutType = LayoutType.BOOKLET,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Manifest:
    """Render every page of the PDF ``source`` into ``out_dir`` (created if missing) with
    its thumbnail, read its hotspots, and write ``manifest.json`` last.

    ``jobs`` pages are rendered at a time: 1 renders in this process only; more adds
    ``jobs - 1`` spawned processes (never more than the pages need). ``progress(done,
    total)`` is called from this thread as pages finish (with ``jobs`` > 1 not in page
    order); ``cancel`` is checked between pages. A manifest left by an earlier run is
    removed before anything else, so a failed or canceled run leaves no manifest (page
    images it wrote stay).

    Raises InvalidPdfError (not a usable PDF, or a page that can't be drawn), OSError (the
    source can't be read or the folder can't be written), ValueError (``width`` outside
    1..MAX_WIDTH or ``jobs`` below 1) and ConversionCanceled.
    """
    source, out_dir = Path(source), Path(out_dir)
    image_format = ImageFormat(image_format)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"an image width must be a whole number from 1 to {MAX_WIDTH}")
    (out_dir / MANIFEST_NAME).unlink(missing_ok=True)
    with PdfDocument.open(source) as doc:
        (out_dir / THUMBNAIL_DIR).mkdir(parents=True, exist_ok=True)
        page_count = doc.page_count
        if progress is not None:
            progress(0, page_count)
        # This process renders too, so the pool needs one process less than ``jobs``.
        workers = min(jobs, page_count) - 1
        if workers > 0:
            rendered = _render_with_pool(
                doc, source, out_dir, width, image_format, workers, progress, cancel
            )
        else:
            rendered = _render_here(doc, out_dir, width, image_format, progress, cancel)
        extraction = read_hotspots(doc)
        manifest = Manifest(
            source=source.name,
            page_count=page_count,
            width=width,
            format=image_format,
            pages=_manifest_pages(doc, rendered, image_format),
            spreads=spread_page_groups(page_count, layout),
            hotspots=list(extraction.hotspots),
            warnings=list(extraction.warnings),
            notices=list(doc.notices),
        )
    write_manifest(manifest, out_dir)
    logger.info("converted %s: %d pages into %s", source.name, page_count, out_dir)
    return manifest


def write_manifest(manifest: Manifest, out_dir: Path) -> None:
    """Write ``manifest.json`` into ``out_dir`` atomically."""
    text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False)
    write_atomically(out_dir / MANIFEST_NAME, text.encode("utf-8") + b"\n")
