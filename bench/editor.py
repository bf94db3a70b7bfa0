"""Hotspot editor: how soon the first page shows and how fast every page of a long PDF comes
up while scrolling, against ``mutool draw`` rendering the same pages at the same resolution.

Opens ``--pdf`` (default: the corpus's 249-page WaldenFull.pdf; without the corpus, a generated
250-page catalogue) in the editor, offscreen, 1280 x 900, fit width, and measures:

1. First page: from ``open_pdf(...)`` (the PDF read on the PyMuPDF thread, then the window
   built) until page 1's image at the canvas's scale (zoom x device pixel ratio, width within
   2 %, as ``PageItem.paint`` asks) is there and a repaint of the canvas has drawn it. "Cold"
   is the first open in the process (PyMuPDF imported on the way, as on a session's first
   open), "warm" a second open after closing the first window.
2. Scrolling: ``canvas.scroll_to_page(n)`` for each page in order, waiting each time until
   page n is shown as in 1; "already shown" counts pages drawn before they were scrolled to.
3. Stalls: a 10 ms heartbeat (bench/ui_stall_watch.py): how much later than due a tick came,
   the time the window could not answer.
4. Reference: ``mutool draw`` at 72 x scale dpi, raw PNM to /dev/null (mutool has no null
   device), all pages in one process, and page 1 alone (process start and file open included,
   as Folio's figure includes reading the file).

The ratios are Folio's overhead over bare MuPDF: Folio adds the UI, caching and scheduling, so
above 1 is expected; far above means pages wait on something else than rendering. Not a test:
it prints figures and exits 0 whatever they are (1 only when the editor does not open).

    .venv/bin/python bench/editor.py [--pdf PATH] [--page-timeout 10] [--mutool-runs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from PySide6.QtCore import QEventLoop, QSettings, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402
from ui_responsiveness import print_table  # noqa: E402
from ui_stall_watch import Heartbeat, StallFigures  # noqa: E402

from app.ui.editor.editor_opening import open_pdf  # noqa: E402
from app.ui.editor.editor_window import EditorWindow  # noqa: E402
from app.ui.editor.page_items import FULL_PAGE_PIXELS  # noqa: E402

CORPUS_PDF = Path("/work/shared/corpus/WaldenFull.pdf")
GENERATED_PAGES = 250
FIRST_MS = 300.0
STALL_MS = 50.0
SIZE = (1280, 900)
OPEN_TIMEOUT_S = 60.0


class SetupError(Exception):
    """The editor could not be measured (it did not open)."""


def generated_pdf(path: Path, pages: int) -> Path:
    """bench/ui_responsiveness.py's catalogue PDF, made in a child process so this one has
    not imported PyMuPDF when the cold open is measured."""
    code = (
        "import sys; from pathlib import Path; from ui_responsiveness import sample_pdf; "
        "Path(sys.argv[1]).write_bytes(sample_pdf(int(sys.argv[2])))"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(pages)], cwd=BENCH, check=True)
    return path


def wait_until(done: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until ``done()`` (checked after each batch of events)."""
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    return True


class PageProbe:
    """Says when a page of ``window`` is shown at the canvas's current scale."""

    def __init__(self, window: EditorWindow) -> None:
        self.window = window
        self.arrived: set[int] = set()
        window.images.ready.connect(self.arrived.add)

    def scale(self) -> float:
        canvas = self.window.canvas
        return canvas.zoom * canvas.devicePixelRatioF()

    def shown(self, page: int) -> bool:
        """Repaint the canvas, then: is the page's image there at the scale it was drawn at?"""
        canvas = self.window.canvas
        canvas.viewport().repaint()
        width, height = canvas.page_item(page).page.size
        scale = min(self.scale(), (FULL_PAGE_PIXELS / (width * height)) ** 0.5)
        image = self.window.images.image(page, scale)
        return image is not None and abs(image.width() - width * scale) <= 0.02 * width * scale

    def wait(self, page: int, timeout: float) -> bool:
        """Until the page is shown: checked each time ``ready(page)`` comes (at once when it
        came already)."""
        deadline = time.perf_counter() + timeout
        while wait_until(lambda: page in self.arrived, deadline - time.perf_counter()):
            self.arrived.discard(page)
            if self.shown(page):
                return True
        return False


def open_editor(path: Path) -> tuple[float, EditorWindow, PageProbe]:
    """Open the editor on ``path``; ms until page 1 is shown, the window and its probe."""
    opened: list[tuple[EditorWindow, PageProbe]] = []

    def on_open(window: EditorWindow) -> None:
        window.resize(*SIZE)  # before its first paint: shown already, not yet painted
        opened.append((window, PageProbe(window)))

    def refused() -> list[QMessageBox]:  # open_pdf explains a file it can't open in a box
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]

    # A parent for that box only, never shown: a box without one is deleted at once.
    boxes_parent = QWidget()
    started = time.perf_counter()
    open_pdf(path, None, boxes_parent, on_open=on_open)
    if not wait_until(lambda: bool(opened or refused()), OPEN_TIMEOUT_S) or not opened:
        raise SetupError(refused()[0].text() if refused() else "the editor did not open in time")
    window, probe = opened[0]
    if not probe.wait(1, OPEN_TIMEOUT_S):
        raise SetupError("page 1 was never shown")
    return (time.perf_counter() - started) * 1000, window, probe


def close_editor(window: EditorWindow) -> None:
    gone: list[bool] = []
    window.destroyed.connect(lambda _obj=None: gone.append(True))
    window.close()
    wait_until(lambda: bool(gone), 10)


def scroll_through(
    window: EditorWindow, probe: PageProbe, timeout: float
) -> tuple[list[float], list[int], int]:
    """ms per page, pages never shown, pages already shown when scrolled to."""
    times: list[float] = []
    missing: list[int] = []
    ready_before = 0
    for page in range(1, window.model.page_count + 1):
        started = time.perf_counter()
        window.canvas.scroll_to_page(page)
        if probe.shown(page):
            ready_before += 1
        elif not probe.wait(page, timeout):
            missing.append(page)
        times.append((time.perf_counter() - started) * 1000)
    return times, missing, ready_before


PAN_ZOOM = 4.0
PAN_STEPS = 30


def pan_zoomed(window: EditorWindow) -> float:
    """Zoom to 400 % and pan down half a screen at a time, letting each view draw (its
    sharp tile arrive); returns the total milliseconds."""
    canvas = window.canvas
    canvas.set_zoom(PAN_ZOOM)
    canvas.scroll_to_page(2)
    bar = canvas.verticalScrollBar()
    started = time.perf_counter()
    for _ in range(PAN_STEPS):
        bar.setValue(bar.value() + canvas.viewport().height() // 2)
        canvas.viewport().repaint()  # painting is what asks for the tile in view
        wait_until(lambda: window.images.busy == 0, 5.0)
    return (time.perf_counter() - started) * 1000


def mutool_seconds(mutool: str, pdf: Path, dpi: float, pages: str, runs: int) -> list[float]:
    command = [mutool, "draw", "-q", "-r", f"{dpi:.2f}", "-F", "pnm", "-o", os.devnull]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, str(pdf), pages], check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def verdict(value: float, limit: float) -> str:
    return f"< {limit:g} ms: {'met' if value < limit else 'MISSED'}"


def stall_row(label: str, ticks: list[tuple[float, float]]) -> tuple[str, str, str]:
    stalls = StallFigures.of(ticks)
    target = f"{verdict(stalls.longest, STALL_MS)}; {stalls.over_50} over 50 ms"
    return (f"longest stall, {label}", f"{stalls.longest:.0f} ms", target)


def quiet(_kind: Any, _context: Any, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's notice
        print(message, file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pdf", type=Path, default=None, help=f"default: {CORPUS_PDF}")
    parser.add_argument("--page-timeout", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--mutool-runs", type=int, default=2, help="runs of each mutool draw")
    args = parser.parse_args()
    if args.pdf is not None and not args.pdf.is_file():
        parser.error(f"{args.pdf} is not a file")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="folio-bench-editor-"))
    try:
        pdf: Path = args.pdf or CORPUS_PDF
        if not pdf.is_file():
            print(f"note: {CORPUS_PDF} is missing: a generated {GENERATED_PAGES}-page PDF instead")
            pdf = generated_pdf(work / "catalogue.pdf", GENERATED_PAGES)
        run(pdf, args, work)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(pdf: Path, args: argparse.Namespace, work: Path) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # the editor's layout, not the user's
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work))
    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    heartbeat = Heartbeat()
    heartbeat.start()
    marks = [time.perf_counter()]
    cold_ms, window, _probe = open_editor(pdf)
    marks.append(time.perf_counter())
    close_editor(window)
    marks.append(time.perf_counter())
    warm_ms, window, probe = open_editor(pdf)
    marks.append(time.perf_counter())
    times, missing, ready_before = scroll_through(window, probe, args.page_timeout)
    marks.append(time.perf_counter())
    pages, zoom, scale = window.model.page_count, window.canvas.zoom, probe.scale()
    pan_ms = pan_zoomed(window)
    marks.append(time.perf_counter())
    heartbeat.stop()
    images = window.images
    close_editor(window)
    images.wait()
    app.processEvents()

    total = sum(times) / 1000
    median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    never = "0" + (f": {missing[:10]}" if missing else "")
    rows = [
        ("first page, cold (+PyMuPDF import)", f"{cold_ms:.0f} ms", verdict(cold_ms, FIRST_MS)),
        ("first page, warm (second open)", f"{warm_ms:.0f} ms", verdict(warm_ms, FIRST_MS)),
        (f"scroll through {pages} pages", f"{total:.2f} s", f"{pages / total:.0f} pages/s"),
        ("  per page, median / p95", f"{median:.1f} / {p95:.1f}", f"ms; most {max(times):.0f}"),
        ("  pages already shown when scrolled to", f"{ready_before}", ""),
        ("  pages never shown", f"{len(missing)}", never),
        stall_row("opening, cold", heartbeat.between(marks[0], marks[1])),
        stall_row("opening, warm", heartbeat.between(marks[2], marks[3])),
        stall_row("scrolling", heartbeat.between(marks[3], marks[4])),
        (
            f"pan at {PAN_ZOOM:.0%}, {PAN_STEPS} half-screen steps",
            f"{pan_ms:.0f} ms",
            "sharp tiles of the part in view",
        ),
        stall_row("panning zoomed in", heartbeat.between(marks[4], marks[5])),
    ]
    mutool = shutil.which("mutool")
    if mutool is None:
        print("mutool not found: apt-get install mupdf-tools")
    else:
        dpi = 72 * scale
        every = min(mutool_seconds(mutool, pdf, dpi, f"1-{pages}", args.mutool_runs))
        first = statistics.median(mutool_seconds(mutool, pdf, dpi, "1", 3)) * 1000
        runs = args.mutool_runs
        rows += [
            (
                f"mutool, all pages (best of {runs})",
                f"{every:.2f} s",
                f"{pages / every:.0f} pages/s",
            ),
            ("  Folio's scroll-through / mutool", f"{total / every:.2f}x", "> 1 expected"),
            ("mutool, page 1 alone (median of 3)", f"{first:.0f} ms", "process included"),
            ("  Folio's first page, warm / mutool", f"{warm_ms / first:.2f}x", "> 1 expected"),
        ]
    print(
        f"{pdf.name}: {pages} pages; window {SIZE[0]} x {SIZE[1]} offscreen, fit width: zoom "
        f"{zoom:.3f}, {scale:.3f} px/pt ({72 * scale:.1f} dpi)\n"
    )
    print_table(rows)
    print(
        f"\n(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores: other work on "
        "the machine inflates every figure)"
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
