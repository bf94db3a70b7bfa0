"""Page images for the editor: drawn off the UI thread from real PDFs (or downloaded from a
real HTTP server), answered at once from the cache, visible pages first, stale work dropped,
and every failure said once in a sentence."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pymupdf
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect
from PySide6.QtGui import QColor, QImage

import app.pdf.page_pixels  # noqa: F401  PyMuPDF imported up front, as a running app has it
from app.ui.editor.page_images import (
    Kind,
    PageImages,
    PdfPageImages,
    Picture,
    PictureCache,
    UrlPageImages,
    Want,
)
from tests.conftest import SHARED
from tests.sample_pdfs import PageSpec, build_pdf, plain_pdf

CORPUS = SHARED / "corpus"
RED = QColor(204, 25, 25)  # tests.sample_pdfs draws a (0.8, 0.1, 0.1) square at 40,100-200,200

Images = TypeVar("Images", bound=PageImages)


@pytest.fixture
def opened() -> Iterator[Callable[[Images], Images]]:
    """Keeps what a test opens, and closes it (waiting for its worker) afterwards."""
    made: list[PageImages] = []

    def keep(images: Images) -> Images:
        made.append(images)
        return images

    yield keep
    for images in made:
        images.close()
        assert images.wait(10_000)


def write_pdf(tmp_path: Path, data: bytes, name: str = "catalogue.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def missing_last_page(page_count: int) -> bytes:
    """A PDF whose page tree claims ``page_count`` pages but holds one fewer: the last page
    is damaged (MuPDF cannot load it) while the others draw."""
    doc = pymupdf.open(stream=plain_pdf(page_count), filetype="pdf")
    pages = int(doc.xref_get_key(doc.pdf_catalog(), "Pages")[1].split()[0])
    kids = " ".join(f"{page.xref} 0 R" for page in list(doc)[:-1])
    doc.xref_set_key(pages, "Kids", f"[{kids}]")
    return bytes(doc.tobytes())


def arrival(qtbot: Any, images: PageImages, page: int, timeout: int = 10_000) -> None:
    """Wait for ``ready(page)``."""
    with qtbot.waitSignal(images.ready, timeout=timeout, check_params_cb=lambda p: p == page):
        pass


def drawn(qtbot: Any, images: PageImages, page: int, scale: float) -> QImage:
    """The page at ``scale``, waiting for it to be drawn."""
    with qtbot.waitSignal(images.ready, timeout=10_000, check_params_cb=lambda p: p == page):
        assert images.image(page, scale) is None
    image = images.image(page, scale)
    assert image is not None
    return image


def is_red(color: QColor) -> bool:
    return color.red() > 180 and color.green() < 70 and color.blue() < 70


# --- a local PDF ---------------------------------------------------------------------------


def test_first_image_arrives_through_ready_at_the_scaled_size(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(3))))
    image = drawn(qtbot, images, 2, 1.5)
    assert (image.width(), image.height()) == (round(595 * 1.5), round(842 * 1.5))
    assert images.image(2, 1.5) == image  # cached: answered without drawing again


def test_nearest_image_is_answered_at_once_and_the_exact_one_follows(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(2))))
    drawn(qtbot, images, 1, 1.0)
    with qtbot.waitSignal(images.ready, timeout=10_000):
        stand_in = images.image(1, 2.0)
        assert stand_in is not None and stand_in.width() == 595
    exact = images.image(1, 2.0)
    assert exact is not None and exact.width() == 1190
    # Within 2 % the cached image is the answer: nothing is drawn.
    with qtbot.assertNotEmitted(images.ready, wait=300):
        near = images.image(1, 1.97)
        assert near is not None and near.width() == 1190


def test_a_thumbnail_stands_in_for_a_page_image_not_drawn_yet(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(2))))
    with qtbot.waitSignal(images.ready, timeout=10_000):
        assert images.thumbnail(2, 120) is None
    thumbnail = images.thumbnail(2, 120)
    assert thumbnail is not None
    assert (thumbnail.width(), thumbnail.height()) == (120, round(120 * 842 / 595))
    with qtbot.waitSignal(images.ready, timeout=10_000):
        stand_in = images.image(2, 1.0)
        assert stand_in is not None and stand_in.width() == 120


def test_prioritised_pages_are_drawn_first_and_pages_scrolled_away_are_dropped(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(200))))
    arrived: list[int] = []
    images.ready.connect(arrived.append)
    for page in range(1, 201):  # a fast scroll through the whole PDF
        assert images.image(page, 0.5) is None
    images.prioritise([150, 7, 90])
    qtbot.waitUntil(lambda: {150, 7, 90} <= set(arrived), timeout=10_000)
    before = arrived[: arrived.index(150)]
    # The one worker may have begun a page (and taken the next) before the view settled.
    assert len(before) <= 2, before
    assert [page for page in arrived if page in (150, 7, 90)] == [150, 7, 90]
    qtbot.wait(300)
    assert len(arrived) <= 5, "pages no longer wanted were drawn"
    assert images.image(8, 0.5) is None, "a dropped page is asked for again"
    arrival(qtbot, images, 8)


def test_tile_is_exactly_that_region_of_the_whole_page(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(1))))
    scale = 3.0
    whole = drawn(qtbot, images, 1, scale)
    clip = (30.0, 90.0, 120.5, 150.25)  # points; the red square starts at 40, 100
    with qtbot.waitSignal(images.ready, timeout=10_000):
        assert images.tile(1, scale, clip) is None
    tile = images.tile(1, scale, clip)
    assert tile is not None
    x, y = tile.offset().x(), tile.offset().y()
    assert x <= 30 * scale and y <= 90 * scale
    assert x + tile.width() >= 120.5 * scale and y + tile.height() >= 150.25 * scale
    assert tile == whole.copy(QRect(x, y, tile.width(), tile.height()))
    assert is_red(tile.pixelColor(round(60 * scale) - x, round(120 * scale) - y))
    # Panning a little stays within the tile drawn; another scale needs its own tile.
    with qtbot.assertNotEmitted(images.ready, wait=300):
        assert images.tile(1, scale, (32.0, 92.0, 122.0, 152.0)) is tile
    assert images.tile(1, scale * 1.01, clip) is None


def test_damaged_page_is_reported_once_in_a_sentence(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    images = opened(PdfPageImages(write_pdf(tmp_path, missing_last_page(3))))
    failures: list[tuple[int, str]] = []
    images.failed.connect(lambda page, message: failures.append((page, message)))
    with qtbot.waitSignal(images.failed, timeout=10_000):
        assert images.image(3, 1.0) is None
    assert failures == [(3, "Page 3 is damaged and could not be drawn.")]
    with qtbot.assertNotEmitted(images.failed, wait=300):
        assert images.image(3, 1.0) is None
        assert images.thumbnail(3, 100) is None
    assert drawn(qtbot, images, 2, 1.0).width() == 595
    assert failures == [(3, "Page 3 is damaged and could not be drawn.")]


def test_rotated_and_cropped_pages_have_the_displayed_size(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    specs = [PageSpec(rotation=90), PageSpec(crop=(20, 30, 580, 780)), PageSpec(rotation=270)]
    images = opened(PdfPageImages(write_pdf(tmp_path, build_pdf(specs))))
    for page, (width, height) in ((1, (800, 600)), (2, (560, 750)), (3, (800, 600))):
        image = drawn(qtbot, images, page, 0.5)
        assert (image.width(), image.height()) == (width // 2, height // 2)
        with qtbot.waitSignal(images.ready, timeout=10_000):
            images.thumbnail(page, 100)
        thumbnail = images.thumbnail(page, 100)
        assert thumbnail is not None
        assert (thumbnail.width(), thumbnail.height()) == (100, round(100 * height / width))


def test_corpus_page_with_a_cropbox_offset_has_its_displayed_size(qtbot: Any, opened: Any) -> None:
    path = CORPUS / "test_4043.pdf"
    if not path.is_file():
        pytest.skip(f"corpus file {path} is not available")
    images = opened(PdfPageImages(path))
    image = drawn(qtbot, images, 1, 1.0)
    assert (image.width(), image.height()) == (380, 480)


def test_replacement_shows_the_other_files_page(tmp_path: Path, qtbot: Any, opened: Any) -> None:
    other = write_pdf(tmp_path, build_pdf([PageSpec(), PageSpec(width=400, height=300)]), "new.pdf")
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(2)), {1: (other, 1)}))
    assert drawn(qtbot, images, 1, 1.0).width() == 600
    assert drawn(qtbot, images, 2, 1.0).width() == 595
    assert images.image(2, 0.5) is not None  # a drawing under way when the page changes
    with qtbot.waitSignal(images.ready, timeout=1_000, check_params_cb=lambda p: p == 2):
        images.set_replacement(2, other, 2)  # forgets the page and asks for a repaint
    replaced = drawn(qtbot, images, 2, 1.0)
    assert (replaced.width(), replaced.height()) == (400, 300)
    qtbot.wait(200)
    stand_in = images.image(2, 0.5)
    assert stand_in is None or stand_in.width() in (200, 400), "a result from before it changed"


def test_page_replaced_while_it_is_drawn_is_drawn_again(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    other = write_pdf(tmp_path, build_pdf([PageSpec(width=400, height=300)]), "new.pdf")
    images = opened(PdfPageImages(write_pdf(tmp_path, plain_pdf(2))))
    drawn(qtbot, images, 1, 0.1)  # the PDF is open
    assert images.image(2, 4.0) is None  # a big drawing, under way when the page changes
    qtbot.wait(10)
    images.set_replacement(2, other, 1)
    with qtbot.waitSignal(images.ready, timeout=10_000, check_params_cb=lambda p: p == 2):
        assert images.image(2, 4.0) is None  # the canvas repaints and asks again
    replaced = images.image(2, 4.0)
    assert replaced is not None and (replaced.width(), replaced.height()) == (1600, 1200)


def test_reopen_after_saving_in_place_draws_from_the_file_as_saved(
    tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    other = write_pdf(tmp_path, build_pdf([PageSpec(width=400, height=300)]), "new.pdf")
    path = write_pdf(tmp_path, plain_pdf(2))
    images = opened(PdfPageImages(path, {2: (other, 1)}))
    assert drawn(qtbot, images, 1, 0.5).width() == 298
    assert drawn(qtbot, images, 2, 0.5).width() == 200
    # Saved in place: page 2 replaced; and page 1 changed too, to see the file is read again.
    path.write_bytes(build_pdf([PageSpec(width=500, height=700), PageSpec(width=400, height=300)]))
    with qtbot.assertNotEmitted(images.ready, wait=100):
        images.reopen()
    assert images.image(2, 0.5) is not None, "the replaced page's image stays meanwhile"
    for page, size in ((1, (125, 175)), (2, (100, 75))):
        with qtbot.waitSignal(images.ready, timeout=10_000, check_params_cb=page.__eq__):
            images.image(page, 0.25)  # the image at 0.5 stands in meanwhile
        image = images.image(page, 0.25)
        assert image is not None and (image.width(), image.height()) == size


def test_close_with_renders_queued_returns_at_once_and_emits_nothing_after(
    tmp_path: Path, qtbot: Any
) -> None:
    images = PdfPageImages(write_pdf(tmp_path, plain_pdf(200)))
    signals: list[object] = []
    images.ready.connect(signals.append)
    images.failed.connect(lambda page, _message: signals.append(page))
    for page in range(1, 201):
        images.image(page, 2.0)
        images.thumbnail(page, 150)
    qtbot.wait(50)
    signals.clear()
    started = time.perf_counter()
    images.close()
    images.close()
    assert time.perf_counter() - started < 0.1
    qtbot.wait(500)
    assert signals == []
    assert images.wait(5_000)
    assert images.image(1, 2.0) is None and signals == []


def test_page_cache_keeps_the_most_recently_used_within_its_bytes() -> None:
    def picture(page: int) -> Picture:
        image = QImage(100, 100, QImage.Format.Format_RGB32)  # 40,000 bytes
        return Picture(image, Want(page, Kind.PAGE, 1.0), 1.0)

    cache = PictureCache(limit=100_000)
    for page in (1, 2):
        cache.put(picture(page))
    assert cache.find(Want(1, Kind.PAGE, 1.01)) is not None  # page 1 used again
    cache.put(picture(3))
    assert cache.bytes == 80_000
    assert cache.find(Want(2, Kind.PAGE, 1.0)) is None
    assert cache.find(Want(1, Kind.PAGE, 1.0)) is not None
    assert cache.find(Want(1, Kind.PAGE, 1.1)) is None  # more than 2 % off


def test_first_page_of_a_249_page_book_arrives_quickly(qtbot: Any, opened: Any) -> None:
    path = CORPUS / "WaldenFull.pdf"
    if not path.is_file():
        pytest.skip(f"corpus file {path} is not available")
    images = opened(PdfPageImages(path))
    arrived: dict[int, float] = {}
    images.ready.connect(lambda page: arrived.setdefault(page, time.perf_counter()))
    started = time.perf_counter()
    assert images.image(1, 1.3) is None  # fit width: a 774 px wide page
    qtbot.waitUntil(lambda: 1 in arrived, timeout=5_000)
    first = arrived[1] - started
    started = time.perf_counter()
    for page in range(2, 42):
        images.image(page, 1.3)
    qtbot.waitUntil(lambda: len(arrived) == 41, timeout=30_000)
    per_page = (max(arrived.values()) - started) / 40
    print(f"\nWaldenFull: first image {first * 1000:.0f} ms, then {per_page * 1000:.1f} ms a page")
    assert first < 1.0


# --- page images on a server ----------------------------------------------------------------


class ImageSite:
    """A real HTTP server on loopback serving the files a test adds; counts requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                data = site.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def site() -> Iterator[ImageSite]:
    served = ImageSite()
    yield served
    served.httpd.shutdown()
    served.httpd.server_close()


def jpeg(width: int, height: int, color: QColor) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(color)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG", 90)
    return bytes(data.data())


def serve_pages(site: ImageSite, count: int) -> dict[int, str]:
    urls = {}
    for page in range(1, count + 1):
        site.files[f"/files/page-{page}.jpg"] = jpeg(800, 1131, RED)
        urls[page] = f"{site.url}/files/page-{page}.jpg"
    return urls


def test_server_page_image_is_scaled_to_the_scale_asked(
    site: ImageSite, qtbot: Any, opened: Any
) -> None:
    urls = serve_pages(site, 2)
    images = opened(UrlPageImages(urls, None, page_sizes={1: (595.0, 841.0)}))
    image = drawn(qtbot, images, 1, 1.0)
    assert (image.width(), image.height()) == (595, 841)
    assert is_red(image.pixelColor(300, 400))
    assert images.tile(1, 1.0, (0, 0, 100, 100)) is None  # no finer detail exists
    # Without the page's size in points, the image's pixels count as points.
    unsized = drawn(qtbot, images, 2, 0.5)
    assert (unsized.width(), unsized.height()) == (400, 566)


def test_server_thumbnail_is_a_scaled_copy_downloaded_once(
    site: ImageSite, tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    urls = serve_pages(site, 1)
    images = opened(UrlPageImages(urls, tmp_path / "cache"))
    arrived: list[int] = []
    images.ready.connect(arrived.append)
    assert images.thumbnail(1, 100) is None
    assert images.image(1, 1.0) is None
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=10_000)
    thumbnail = images.thumbnail(1, 100)
    assert thumbnail is not None
    assert (thumbnail.width(), thumbnail.height()) == (100, round(100 * 1131 / 800))
    assert site.requests == ["/files/page-1.jpg"]


def test_server_page_images_are_kept_on_disk(
    site: ImageSite, tmp_path: Path, qtbot: Any, opened: Any
) -> None:
    urls = serve_pages(site, 1)
    drawn(qtbot, opened(UrlPageImages(urls, tmp_path / "cache")), 1, 0.25)
    site.files.clear()  # the server no longer has it: the next window reads the disk
    again = drawn(qtbot, opened(UrlPageImages(urls, tmp_path / "cache")), 1, 0.5)
    assert (again.width(), again.height()) == (400, 566)
    assert site.requests == ["/files/page-1.jpg"]


def test_missing_server_image_is_reported_once(site: ImageSite, qtbot: Any, opened: Any) -> None:
    urls = serve_pages(site, 1)
    urls[2] = f"{site.url}/files/gone.jpg"
    images = opened(UrlPageImages(urls, None))
    failures: list[tuple[int, str]] = []
    images.failed.connect(lambda page, message: failures.append((page, message)))
    with qtbot.waitSignal(images.failed, timeout=10_000):
        images.image(2, 1.0)
    assert failures == [(2, "Page 2's image could not be downloaded: the file answered HTTP 404.")]
    with qtbot.assertNotEmitted(images.failed, wait=300):
        assert images.image(2, 1.0) is None
        assert images.thumbnail(2, 100) is None
    assert len(failures) == 1
