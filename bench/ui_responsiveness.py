"""UI responsiveness: the window stays answerable while it syncs 100,000 publications and a
50-page conversion runs, and it is on screen within a second of starting.

Seeds a server database with ``--publications`` publications in ``--groups`` groups and their
change feed (bench/sync.py's seeding), starts a real ``folio serve`` with conversions on (the
server's default number of rendering processes unless ``--conversion-processes``), and
measures, against that one server:

1. Cold start (bench/ui_start_probe.py, a fresh process per run, imports included):
   ``folio gui --server URL`` until the window is shown and has completed its first paint,
   on an empty library and on a library already holding the publications (then also until
   the first table rows are painted), with the time of each start-up step. Times are from
   the moment the process was started, and from just before the launcher builds the
   QApplication (PySide6's import included).
2. The reference: the same first sync with no window, ``Library.sync`` in a plain thread
   (what ``folio sync`` runs), into a new mirror file. The first run also pays this
   process's lazy imports and statement compilation; the best run is the reference.
3. The window (bench/ui_window_run.py, in a process like the app's), offscreen, on an empty
   library: a 10 ms precise QTimer heartbeat records how late each tick comes (the stall).
   ``MainWindow.start()`` connects and runs the first full sync through the window's
   SyncController; as it starts, a generated 50-page PDF is uploaded and becomes a
   publication over HTTP that the server converts, and the window's sync poll (every
   ``--poll-ms``) brings it in. A 50 ms timer moves the table's scroll bar by
   ``--scroll-rows`` rows so row blocks keep loading once rows are there. The run ends
   ``--tail`` seconds after the conversion shows in the table. With ``--embedded``, the same
   again on a copy of the data served by the embedded server inside the window's process,
   as plain ``folio`` runs.

Then the stall figures per phase, where the UI thread's time went in the stalls over 50 ms
(on a CPU, waiting for a CPU, blocked on the GIL: /proc schedstat), the UI-thread callbacks
of worker tasks and the garbage collections (timed), what ran during each long stall (the
UI thread's stack sampled every 5 ms, the collections and callbacks that overlap it), and a
table of the figures with their targets (longest stall under 50 ms; window shown under 1 s
after start) and the window's sync time against the reference as a ratio.

    .venv/bin/python bench/ui_responsiveness.py [--publications 100000] [--groups 100]
        [--pages 50] [--start-repeats 3] [--reference-runs 2] [--poll-ms 2000]
        [--scroll-rows 250] [--tail 3] [--conversion-processes N] [--embedded]

About a minute on two idle cores (--embedded adds about 30 s). Not a test: it prints figures
and exits 0 whatever they are (1 only when the setup is broken: the server does not start,
a sync fails, the conversion never arrives).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from sync import (  # noqa: E402
    SanityError,
    check_report,
    first_sync,
    seed,
    start_server,
    stop_server,
)

TARGET_STALL_MS = 50.0
TARGET_SHOWN_S = 1.0
PROBE = BENCH / "ui_start_probe.py"
WINDOW = BENCH / "ui_window_run.py"


# --- setup -------------------------------------------------------------------------------------


def sample_pdf(pages: int) -> bytes:
    """A catalogue-like PDF: per page a heading, text, six product boxes and one photo-like
    image (the same image object on every page, decoded again for each)."""
    import pymupdf

    width, height = 480, 320
    samples = bytearray(width * height * 3)
    for y in range(height):
        for x in range(width):
            at = (y * width + x) * 3
            samples[at : at + 3] = bytes(((x * 7 + y) % 256, (y * 3 + x // 5) % 256, (x ^ y) % 256))
    photo = pymupdf.Pixmap(pymupdf.csRGB, width, height, bytes(samples), False)
    image = photo.tobytes("png")
    doc = pymupdf.open()
    xref = 0
    for number in range(pages):
        page = doc.new_page(width=595, height=842)
        page.insert_text((48, 70), f"Seasonal catalogue - page {number + 1}", fontsize=22)
        for line in range(12):
            page.insert_text(
                (48, 100 + line * 14),
                "Soft textures and warm wood for the room you live in most. " * 2,
                fontsize=9,
            )
        rect = pymupdf.Rect(48, 280, 547, 540)
        xref = (
            page.insert_image(rect, stream=image)
            if xref == 0
            else page.insert_image(rect, xref=xref)
        )
        for box in range(6):
            x0, y0 = 48 + (box % 3) * 170, 560 + (box // 3) * 130
            page.draw_rect(
                pymupdf.Rect(x0, y0, x0 + 160, y0 + 120),
                color=(0.2, 0.2, 0.2),
                fill=((box * 0.15) % 1, 0.5, 0.7),
            )
            page.insert_text((x0 + 8, y0 + 20), f"DEMO-{number:02d}{box}  49.90 EUR", fontsize=10)
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data


def embedded_data_dir(seeded_dir: Path, target: Path) -> Path:
    """A copy of the seeded server data whose account is the embedded server's, so plain
    ``folio`` (the server inside the window's process) serves the same publications."""
    import sqlite3

    from app.server.embedded import LOCAL_ACCOUNT

    target.mkdir(parents=True)
    source = sqlite3.connect(seeded_dir / "folio-server.sqlite3")
    copy = sqlite3.connect(target / "folio-server.sqlite3")
    with copy:
        source.backup(copy)  # consistent, while the server process has the file open
        copy.execute("UPDATE accounts SET name = ?", (LOCAL_ACCOUNT,))
    source.close()
    copy.close()
    return target


# --- 1. cold start -----------------------------------------------------------------------------


@dataclass
class Start:
    from_process: dict[str, float]
    """Seconds from the process's start to each stamp."""
    from_qapplication: dict[str, float]
    rows: int | None


def probe_start(data_dir: Path, url: str, key: str, settings: Path, want_rows: bool) -> Start:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "FOLIO_API_KEY": key,
        "XDG_CONFIG_HOME": str(settings),  # QSettings: window layout, away from the user's
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, str(PROBE), "--data-dir", str(data_dir), "--server", url]
    if want_rows:
        command.append("--want-rows")
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("PROBE ")), None)
    if line is None:
        raise SanityError(f"start probe failed ({done.returncode}):\n{done.stderr[-2000:]}")
    result = json.loads(line[len("PROBE ") :])
    if result.get("timed_out"):
        raise SanityError(f"start probe timed out: {result}")
    stamps: dict[str, float] = result["stamps"]
    before_app = stamps["qapplication"]
    return Start(
        {name: at - started for name, at in stamps.items()},
        {name: at - before_app for name, at in stamps.items() if at >= before_app},
        result.get("rows"),
    )


# --- 2. the reference sync ---------------------------------------------------------------------


def reference_sync(url: str, key: str, path: Path, publications: int) -> float:
    """``Library.sync`` into a new mirror at ``path`` in a plain thread; its seconds."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            _opened, seconds, library, report = first_sync(url, key, path)
            outcome.update(seconds=seconds, report=report, count=library.publication_count())
            library.close()
        except BaseException as exc:  # reported below, in the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="reference sync")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    check_report(outcome["report"], "reference sync")
    if outcome["count"] != publications:
        raise SanityError(f"reference sync: {outcome['count']} publications, not {publications}")
    return float(outcome["seconds"])


# --- 3. the window -----------------------------------------------------------------------------


def window_in_child(args: argparse.Namespace, where: list[str]) -> tuple[str, dict[str, Any]]:
    """bench/ui_window_run.py in a process of its own (``where``: its server options); its
    printed analysis and its figures."""
    command = [sys.executable, str(WINDOW), *where, "--work", str(args.work)]
    command += ["--group-id", str(args.group_id), "--pdf", str(args.pdf)]
    command += ["--poll-ms", str(args.poll_ms), "--scroll-rows", str(args.scroll_rows)]
    command += ["--tail", str(args.tail), "--timeout", str(args.timeout)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env=env, timeout=args.timeout + 120
    )
    lines = done.stdout.splitlines(keepends=True)
    result = next((ln for ln in lines if ln.startswith("WINDOW ")), None)
    if result is None:
        raise SanityError(f"the window run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures = json.loads(result[len("WINDOW ") :])
    if figures["errors"]:
        raise SanityError("the window run: " + "; ".join(figures["errors"]))
    return "".join(ln for ln in lines if not ln.startswith("WINDOW ")), figures


def window_rows(
    label: str, window: dict[str, Any], references: list[float], args: argparse.Namespace
) -> list[tuple[str, str, str]]:
    stalls = window["stalls"]
    reference = min(references)
    return [
        (
            f"longest event-loop stall, whole run{label}",
            f"{stalls['longest']:.1f} ms",
            f"< {TARGET_STALL_MS:g} ms: {_verdict(stalls['longest'], TARGET_STALL_MS)}",
        ),
        ("p99 / p95 stall", f"{stalls['p99']:.1f} / {stalls['p95']:.1f}", "ms"),
        (
            "stalls over 50 ms / over 100 ms",
            f"{stalls['over_50']} / {stalls['over_100']}",
            f"of {stalls['ticks']} ticks",
        ),
        (
            f"window: first full sync (SyncController, started -> finished){label}",
            f"{window['sync_seconds']:.2f} s",
            f"{window['pulled']:,} entries pulled",
        ),
        (
            f"reference: Library.sync in a plain thread (best of {len(references)})",
            f"{reference:.2f} s",
            "runs: " + ", ".join(f"{r:.2f}" for r in references),
        ),
        (
            f"ratio window sync / reference{label}",
            f"{window['sync_seconds'] / reference:.2f}",
            "the conversion ran during the window's sync only",
        ),
        (
            "rows in the table after the sync",
            f"{window['rows_after_sync'] or 0:,}",
            f"shown {window['rows_shown_after']:.2f} s after the sync ended",
        ),
        (
            f"conversion, {args.pages} pages: POST -> finished on the server",
            f"{window['conversion_server']:.2f} s",
            window["conversion_state"] or "",
        ),
        (
            f"conversion: POST -> in the window's table (poll every {args.poll_ms} ms)",
            f"{window['conversion_window']:.2f} s",
            f"{window['syncs']} window syncs in all",
        ),
        (
            "scroll steps / row blocks loaded",
            f"{window['scrolls']} / {window['blocks']}",
            f"{args.scroll_rows} rows every {window['scroll_every_ms']} ms",
        ),
    ]


# --- output ------------------------------------------------------------------------------------


def _verdict(value: float, limit: float) -> str:
    return "met" if value < limit else "MISSED"


STEPS = (
    ("interpreter", "Python up (this script's first line)"),
    ("qapplication", "app.cli imported; QApplication about to be built"),
    ("qapplication_made", "PySide6 imported, QApplication built"),
    ("window_imported", "app.ui.main_window imported (mirror, client, ...)"),
    ("workspace", "Workspace built (mirror file opened)"),
    ("constructed", "MainWindow constructed"),
    ("shown", "showEvent"),
    ("painted", "first paint completed"),
    ("loaded", "table's first query answered"),
    ("rows_painted", "first rows painted"),
)


def print_starts(label: str, starts: list[Start], want_rows: bool) -> list[tuple[str, str, str]]:
    """A line per start-up step (medians) and the rows of the summary table."""

    def median(stamp: str, since_app: bool = False) -> float:
        values = [(s.from_qapplication if since_app else s.from_process)[stamp] for s in starts]
        return statistics.median(values)

    print(f"cold start, {label} (median of {len(starts)}; seconds from the process start):")
    steps = [
        (median(stamp), what)
        for stamp, what in STEPS
        if stamp in starts[0].from_process and (want_rows or stamp != "rows_painted")
    ]
    previous = 0.0
    for at, what in sorted(steps):
        print(f"  {at:6.3f}  (+{at - previous:5.3f})  {what}")
        previous = at
    shown = median("painted")
    rows = [
        (
            f"window shown and painted, {label} (from process start)",
            f"{shown:.3f} s",
            f"< {TARGET_SHOWN_S:g} s: {_verdict(shown, TARGET_SHOWN_S)}",
        ),
        (
            "  same, from just before QApplication (PySide6 import included)",
            f"{median('painted', True):.3f} s",
            "",
        ),
    ]
    if want_rows:
        rows.append(
            ("  first rows painted, from process start", f"{median('rows_painted'):.3f} s", "")
        )
    return rows


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'figure':{width}}{'value':>12}  target")
    print("-" * (width + 40))
    for name, value, target in rows:
        print(f"{name:{width}}{value:>12}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--pages", type=int, default=50, help="pages of the converted PDF")
    parser.add_argument(
        "--start-repeats", type=int, default=3, help="cold starts of each kind (0: none)"
    )
    parser.add_argument("--reference-runs", type=int, default=2, help="window-less syncs")
    parser.add_argument("--poll-ms", type=int, default=2000, help="the window's sync interval")
    parser.add_argument("--scroll-rows", type=int, default=250, help="rows per scroll step")
    parser.add_argument(
        "--tail", type=float, default=3.0, help="seconds after the conversion shows"
    )
    parser.add_argument("--timeout", type=float, default=150.0, help="most seconds of window run")
    parser.add_argument("--conversion-processes", type=int, default=None)
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="also run the window on the embedded server, in its own process (plain `folio`)",
    )
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="folio-bench-ui-"))
    server: subprocess.Popen[str] | None = None
    try:
        print(
            f"seeding {args.publications:,} publications in {args.groups} groups and their change feed ...",
            flush=True,
        )
        seeded = seed(work / "server", args.publications, args.groups)
        server, url = start_server(
            work / "server",
            "--scheduler-interval",
            "0",
            conversion_processes=args.conversion_processes,
        )
        args.work, args.group_id = work, min(seeded.group_of.values())
        args.pdf = work / "catalogue.pdf"
        args.pdf.write_bytes(sample_pdf(args.pages))
        processes = args.conversion_processes
        print(
            f"server {url}: {seeded.last_seq:,} feed entries; conversions on "
            f"({'default' if processes is None else processes} rendering processes); "
            f"a {args.pages}-page PDF to convert; {os.cpu_count()} cores\n",
            flush=True,
        )
        if args.embedded:  # the same data as the first window run will find
            embedded_data_dir(work / "server", work / "embedded")
        from app.mirror.store import mirror_file

        print("cold starts on an empty library ...", flush=True)
        settings = work / "probe-settings"
        empty = [
            probe_start(work / f"empty-{n}", url, seeded.key, settings, want_rows=False)
            for n in range(args.start_repeats)
        ]
        print("reference syncs (Library.sync in a plain thread, no window) ...", flush=True)
        full_dir = work / "full"
        references = [
            reference_sync(
                url,
                seeded.key,
                mirror_file(full_dir / "mirrors", url)
                if n == 0
                else work / f"reference-{n}.sqlite3",
                seeded.publications,
            )
            for n in range(args.reference_runs)
        ]
        print("cold starts on the synced library ...", flush=True)
        full = [
            probe_start(full_dir, url, seeded.key, settings, want_rows=True)
            for _ in range(args.start_repeats)
        ]
        print("the window: start, full sync, conversion, scrolling, heartbeat ...", flush=True)
        analysis, window = window_in_child(args, ["--server", url, "--key", seeded.key])
        embedded: tuple[str, dict[str, Any]] | None = None
        if args.embedded:
            stop_server(server)
            server = None
            print("the window again, on the embedded server (plain `folio`) ...", flush=True)
            embedded = window_in_child(args, ["--embedded", str(work / "embedded")])
        print()

        rows = print_starts("empty library", empty, False) if empty else []
        rows += print_starts(f"{seeded.publications:,} publications", full, True) if full else []
        print(f"\n--- the window on `folio serve` at {url} ---", end="")
        print(analysis, end="")
        rows += window_rows("", window, references, args)
        loads = [window["load"]]
        if embedded is not None:
            print("\n--- the window on the embedded server (in the window's process) ---", end="")
            print(embedded[0], end="")
            rows += window_rows(" (embedded)", embedded[1], references, args)
            loads.append(embedded[1]["load"])
        print()
        print_table(rows)
        during = ", ".join(f"{start:.2f} -> {end:.2f}" for start, end in loads)
        print(
            f"\n(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores now; {during} "
            f"over the window run{'s' if len(loads) > 1 else ''}: other work on the machine "
            f"inflates every figure; whole benchmark {time.monotonic() - started:.0f} s)"
        )
    except SanityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
