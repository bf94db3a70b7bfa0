"""The window part of bench/ui_responsiveness.py, in a process of its own so that what is
measured lives in a process like the app's: the same imports and objects (the benchmark's
seeding, server models and PyMuPDF would make every garbage collection longer), and the
same single GIL shared by the UI thread and the window's workers.

    python bench/ui_window_run.py (--server URL --key KEY | --embedded DATA_DIR)
        --group-id G --pdf FILE --work DIR [--poll-ms 2000] [--scroll-rows 250] [--tail 3]
        [--timeout 150]

Builds the window offscreen on an empty library as ``folio gui --server URL`` does (data
dir ``DIR/window-data``), or as plain ``folio`` does (``--embedded``: the server starts in
this process on DATA_DIR), with a 10 ms heartbeat, the stack sampler, callback and
garbage-collection timers of bench/ui_stall_watch.py. Then ``MainWindow.start()``: the
table query, the groups, the connection and the first full sync; as the sync starts, the
PDF is uploaded and a publication created from it in group G, so the server converts it,
and the window's sync poll brings it in; a 50 ms timer scrolls the table. Prints the stall
analysis, then one line ``WINDOW {json}`` with the figures for the summary table.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from ui_stall_watch import Instruments, StallFigures, describe_stall  # noqa: E402

TARGET_STALL_MS = 50.0
HEARTBEAT_MS = 10
SCROLL_EVERY_MS = 50


@dataclass
class WindowRun:
    t0: float = 0.0
    sync_started: float | None = None
    sync_finished: float | None = None
    sync_report: Any = None
    rows_after_sync: int | None = None
    rows_shown: float | None = None
    post_at: float | None = None
    publication_id: int | None = None
    server_done: float | None = None
    conversion_state: str | None = None
    mirror_has_it: float | None = None
    """The finish time of the first window sync after which the mirror held the converted
    publication."""
    loads: list[tuple[float, list[int]]] = field(default_factory=list)
    syncs: list[tuple[float, float, int]] = field(default_factory=list)
    """(started, finished, pulled) of every window sync."""
    scrolls: int = 0
    end: float = 0.0
    costs: list[tuple[str, float]] = field(default_factory=list)
    """What single UI-thread operations cost on the full table (see ui_costs)."""
    load: tuple[float, float] = (0.0, 0.0)
    """The machine's 1-minute load average as the window run started and ended."""
    errors: list[str] = field(default_factory=list)

    shown: float | None = None
    _checked: int = 0

    def shown_in_window(self) -> float | None:
        """When the table first loaded with the converted publication in it, after the sync
        that brought the finished conversion (each load is looked at once: the UI thread
        asks every 20 ms)."""
        if self.shown is not None or self.mirror_has_it is None or self.publication_id is None:
            return self.shown
        for at, ids in self.loads[self._checked :]:
            self._checked += 1
            if at >= self.mirror_has_it and self.publication_id in ids:
                self.shown = at
                break
        return self.shown


def run_until(condition: Any, timeout: float) -> bool:
    """Run the event loop (never sleep on the UI thread) until ``condition()`` or timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer()
    check.setInterval(20)
    check.timeout.connect(lambda: loop.quit() if condition() else None)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    check.start()
    if not condition():
        loop.exec()
    check.stop()
    return bool(condition())


def convert_on_server(
    run: WindowRun, go: threading.Event, workspace: Any, group_id: int, pdf: Path
) -> None:
    """Once ``go`` is set (the window's first sync started), upload ``pdf`` to the server the
    window is connected to, create a publication from it, then poll its conversion until it
    ends. (A thread started beforehand: starting one on the UI thread waits for it to get
    going, which under load is itself a stall.)"""
    try:
        if not go.wait(300):
            return
        url, key = workspace.connection.url, workspace.connection.key
        http = requests.Session()
        http.headers["Authorization"] = f"ApiKey {key}"
        uploaded = http.post(
            f"{url}/v2/uploads",
            files={"file": ("catalogue.pdf", pdf.read_bytes(), "application/pdf")},
        )
        if uploaded.status_code != 201:
            run.errors.append(f"upload: {uploaded.status_code} {uploaded.text[:200]}")
            return
        source_url = uploaded.json()["upload"]["source_url"]
        run.post_at = time.perf_counter()
        response = http.post(
            f"{url}/v2/groups/{group_id}/publications",
            json={"publication": {"title": "A benchmark conversion", "source_url": source_url}},
        )
        if response.status_code != 201:
            run.errors.append(f"create publication: {response.status_code} {response.text[:200]}")
            return
        run.publication_id = int(response.json()["publication"]["id"])
        path = f"{url}/v2/groups/{group_id}/publications/{run.publication_id}/conversions"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            conversions = http.get(path).json()["conversions"]
            state = conversions[0]["state"] if conversions else None
            if state in ("finished", "failed", "canceled"):
                run.server_done = time.perf_counter()
                run.conversion_state = state
                return
            time.sleep(0.2)
        run.errors.append("the conversion did not end within 120 s")
    except Exception as exc:
        run.errors.append(f"conversion thread: {exc!r}")


def window_run(args: argparse.Namespace) -> tuple[WindowRun, Instruments]:
    from PySide6.QtCore import QSettings, QTimer, qInstallMessageHandler

    from app.settings import resolve_paths
    from app.ui import launch

    work = Path(args.work)

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "window-settings")
    )

    def quiet(_kind: Any, _context: Any, message: str) -> None:
        if "propagateSizeHints" not in message:  # the offscreen platform's notice
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    launch._application([sys.argv[0]])  # the launcher's QApplication and thread pool
    instruments = Instruments()
    instruments.callbacks.install()

    from app.ui.main_window import MainWindow
    from app.ui.sync_controller import SyncController
    from app.ui.tasks import TaskRunner
    from app.ui.workspace import Workspace

    if args.embedded:
        # As ``folio`` starts by default: the server in this process, on this data dir.
        paths = resolve_paths(args.embedded).ensure()
        workspace = Workspace(paths, None, TaskRunner())
    else:
        os.environ["FOLIO_API_KEY"] = args.key  # how the window finds a remote server's key
        paths = resolve_paths(work / "window-data").ensure()
        workspace = Workspace(paths, args.server, TaskRunner())
    sync = SyncController(workspace, interval_ms=args.poll_ms)
    window = MainWindow(workspace, sync)
    run = WindowRun()
    library = workspace.library

    go = threading.Event()
    threading.Thread(
        target=convert_on_server,
        args=(run, go, workspace, args.group_id, Path(args.pdf)),
        name="conversion",
        daemon=True,
    ).start()
    finished_syncs: queue.SimpleQueue[float | None] = queue.SimpleQueue()

    def check_mirror() -> None:
        """After each window sync: does the mirror hold the finished conversion? (Read in
        this thread: the UI thread does no disk work, and the bench should add none.)"""
        while (finished_at := finished_syncs.get()) is not None:
            pub_id = run.publication_id
            if pub_id is None or run.mirror_has_it is not None:
                continue
            conversions = library.conversions(pub_id)
            if conversions and conversions[0].data.get("state") == "finished":
                run.mirror_has_it = finished_at

    checker = threading.Thread(target=check_mirror, name="mirror check", daemon=True)
    checker.start()

    def sync_started() -> None:
        now = time.perf_counter()
        if run.sync_started is None:
            run.sync_started = now
            go.set()
        run.syncs.append((now, 0.0, 0))

    def sync_finished(report: Any) -> None:
        now = time.perf_counter()
        started = run.syncs[-1][0] if run.syncs else now
        run.syncs[-1:] = [(started, now, report.pulled)]
        if run.sync_finished is None:
            run.sync_finished = now
            run.sync_report = report
        finished_syncs.put(now)

    def loaded(count: int) -> None:
        now = time.perf_counter()
        run.loads.append((now, window.model.ids()))
        if run.sync_finished is not None and run.rows_after_sync is None:
            run.rows_after_sync = count
            run.rows_shown = now

    def scroll() -> None:
        bar = window.table.verticalScrollBar()
        if bar.maximum() > 0:
            bar.setValue((bar.value() + args.scroll_rows) % (bar.maximum() + 1))
            run.scrolls += 1

    sync.started.connect(sync_started)
    sync.finished.connect(sync_finished)
    window.model.loaded.connect(loaded)
    scroller = QTimer()
    scroller.setInterval(SCROLL_EVERY_MS)
    scroller.timeout.connect(scroll)

    window.show()
    run_until(lambda: False, 0.5)  # shown and painted, idle
    instruments.start()
    run_until(lambda: False, 1.0)  # an idle second: the baseline
    run.t0 = time.perf_counter()
    run.load = (os.getloadavg()[0], 0.0)
    window.start()  # as the app does: table query, groups, connect, then the first sync
    scroller.start()

    def finished() -> bool:
        shown = run.shown_in_window()
        if run.errors:
            return True
        return shown is not None and time.perf_counter() > shown + args.tail

    run_until(finished, args.timeout)
    run.end = time.perf_counter()
    run.load = (run.load[0], os.getloadavg()[0])
    scroller.stop()
    finished_syncs.put(None)
    instruments.heartbeat.stop()
    instruments.sampler.stop()
    if not run.errors:
        run.costs = ui_costs(window, instruments)
    instruments.stop()

    sync.stop()
    workspace.runner.cancel_all()
    workspace.runner.wait(30_000)
    window.thumbnails.wait(5_000)
    window.close()
    workspace.close()
    return run, instruments


def ui_costs(window: Any, instruments: Instruments, repeats: int = 3) -> list[tuple[str, float]]:
    """With the heartbeat stopped and the table full: what the UI thread's own operations
    cost, each the median of ``repeats`` (ms). The answers of worker tasks are timed by the
    callback timer, as in the run."""
    import gc
    import statistics

    model, callbacks = window.model, instruments.callbacks

    def last_callback(task: str, action: Any, done: Any) -> float:
        count = len(callbacks.records)
        action()
        run_until(done, 30)
        mine = [r for r in callbacks.records[count:] if r.task == task and r.kind == "done"]
        return mine[-1].ms if mine else float("nan")

    def timed(action: Any) -> float:
        started = time.perf_counter()
        action()
        return (time.perf_counter() - started) * 1000

    rows = len(model.ids())
    collection = f"full garbage collection ({len(gc.get_objects()):,} objects tracked)"
    costs: dict[str, list[float]] = {}
    for turn in range(repeats):
        # A sort gives a new order of the same ids: the model resets (the UI-thread part).
        costs.setdefault(f"model reset with {rows:,} ids (publication ids / done)", []).append(
            last_callback(
                "publication ids",
                lambda turn=turn: model.update_query(descending=turn % 2 == 0),
                lambda: not model.loading,
            )
        )
        run_until(lambda: model.cached_rows > 0, 10)
        pick, other = model.id_at(rows // 2 + turn), model.id_at(rows // 3 + turn)
        costs.setdefault("select a row after the reset (MainWindow.select_ids, row_of)", []).append(
            timed(lambda pick=pick: window.select_ids([pick]))
        )
        costs.setdefault("select another row (positions cached)", []).append(
            timed(lambda other=other: window.select_ids([other]))
        )
        groups = window.groups
        entries = f"group tree reload, {groups.topLevelItemCount()} entries (groups / done)"
        costs.setdefault(entries, []).append(
            last_callback("groups", groups.reload, lambda: window.workspace.runner.busy == 0)
        )
        costs.setdefault("repaint the table viewport", []).append(
            timed(window.table.viewport().repaint)
        )
        costs.setdefault(collection, []).append(timed(gc.collect))
    window.select_ids([])
    return [(name, statistics.median(values)) for name, values in costs.items()]


def stall_causes(
    ticks: list[tuple[float, float]], sampler: Any
) -> tuple[float, float, float, float] | None:
    """(stalled, on CPU, waiting for a CPU, blocked) ms summed over the stalls over 50 ms."""
    total = on_cpu = waiting = blocked = 0.0
    for at, stall in ticks:
        if stall <= TARGET_STALL_MS:
            continue
        start = at - (stall + HEARTBEAT_MS) / 1000
        split = sampler.ui_thread_time(start, at)
        if split is None:
            continue
        span = (at - start) * 1000
        total += stall
        on_cpu += split[0]
        waiting += split[1]
        blocked += max(0.0, span - split[0] - split[1])
    return (total, on_cpu, waiting, blocked) if total else None


def print_stalls(run: WindowRun, instruments: Instruments) -> StallFigures:
    heartbeat, sampler = instruments.heartbeat, instruments.sampler
    callbacks, collections = instruments.callbacks, instruments.collections

    sync_end = run.sync_finished or run.end
    phases = [
        ("idle window (1 s before start)", run.t0 - 1.0, run.t0),
        ("start + full sync + conversion", run.t0, sync_end),
        (f"after the sync: {run.rows_after_sync or 0:,} rows, scrolling, polls", sync_end, run.end),
        ("whole run (start to end)", run.t0, run.end),
    ]
    print(
        f"\nevent-loop stalls (heartbeat every {HEARTBEAT_MS} ms; a stall = the gap minus {HEARTBEAT_MS} ms)"
    )
    print(
        f"  {'phase':<52}{'s':>6}{'ticks':>7}{'longest':>9}{'p99':>8}{'p95':>8}{'>50ms':>7}{'>100ms':>7}{'sum>50':>8}"
    )
    whole = None
    causes: list[str] = []
    for name, start, end in phases:
        ticks = heartbeat.between(start, end)
        f = StallFigures.of(ticks)
        whole = f
        print(
            f"  {name:<52}{end - start:>6.1f}{f.ticks:>7}{f.longest:>9.1f}{f.p99:>8.1f}{f.p95:>8.1f}"
            f"{f.over_50:>7}{f.over_100:>7}{f.stalled_ms:>8.0f}"
        )
        split = stall_causes(ticks, sampler)
        if split is not None:
            causes.append(
                f"  {name:<52}{split[0]:>8.0f}{split[1]:>9.0f}{split[2]:>9.0f}{split[3]:>9.0f}"
            )
    print(
        "\nwhere the UI thread's time went in the stalls over 50 ms (ms; /proc schedstat): on a CPU\n"
        "(its own work), runnable but waiting for a CPU (the machine's other load, the server\n"
        "and its renderers included), blocked (waiting for the GIL another thread holds)"
    )
    print(f"  {'phase':<52}{'stalled':>8}{'on CPU':>9}{'CPU wait':>9}{'blocked':>9}")
    print("\n".join(causes))
    assert whole is not None

    print(
        "\nUI-thread callbacks of worker tasks (TaskRunner on_done/on_progress/...), longest first"
    )
    print(f"  {'task / callback':<34}{'calls':>7}{'total ms':>10}{'longest ms':>12}")
    for key, calls, total, longest in callbacks.summary(run.t0, run.end)[:10]:
        print(f"  {key:<34}{calls:>7}{total:>10.1f}{longest:>12.1f}")
    print("garbage collections during the run (each stops every thread, the UI thread too)")
    for generation, count, total, longest in collections.summary(run.t0, run.end):
        print(f"  {f'generation {generation}':<34}{count:>7}{total:>10.1f}{longest:>12.1f}")

    ticks = sorted(heartbeat.between(run.t0, run.end), key=lambda t: -t[1])
    big = [tick for tick in ticks if tick[1] > TARGET_STALL_MS][:12] or ticks[:3]
    over = "over" if big and big[0][1] > TARGET_STALL_MS else "(none over)"
    print(f"\nthe longest stalls {over} {TARGET_STALL_MS:g} ms: what ran on the UI thread")
    for at, stall in big:
        start = at - (stall + HEARTBEAT_MS) / 1000
        inside = [c for c in callbacks.during(start, at) if c.ms >= 5]
        samples = sampler.between(start, at)
        # The sampler may only get the GIL after the UI thread's tick: look a little later.
        late = max((s.late_ms for s in sampler.between(start, at + 0.03)), default=0.0)
        cpu = sampler.ui_thread_time(start, at)
        split = (
            f"UI thread on CPU {cpu[0]:.0f} ms, waiting for a CPU {cpu[1]:.0f} ms, blocked "
            f"{max(0.0, (at - start) * 1000 - cpu[0] - cpu[1]):.0f} ms"
            if cpu
            else "no CPU figures"
        )
        workers = sampler.worker_time(start, at)
        print(f"  at {start - run.t0:+6.2f} s: {stall:6.1f} ms   {split}")
        if workers:
            print(
                f"      the process's other threads: on CPU {workers[0]:.0f} ms, waiting for a "
                f"CPU {workers[1]:.0f} ms; the sampler was held off the GIL up to {late:.0f} ms"
            )
        for c in sorted(inside, key=lambda c: -c.ms)[:3]:
            print(f"      callback {c.task} / {c.kind}: {c.ms:.1f} ms")
        for c in collections.during(start, at):
            if c.ms >= 5:
                thread = "the UI thread" if c.on_ui_thread else "a worker"
                print(
                    f"      garbage collection, generation {c.generation}, set off by {thread}: "
                    f"{c.ms:.1f} ms"
                )
        for where, count in describe_stall(samples):
            print(f"      {count:3d} samples  {where}")
        held = Counter(
            where for s in sampler.between(start, at + 0.03) for where in s.others
        ).most_common(3)
        for where, count in held:
            print(f"      other thread, when the sampler got the GIL back: {where} ({count}x)")
    return whole


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", help="the server's URL (else --embedded)")
    parser.add_argument("--key", help="its API key")
    parser.add_argument(
        "--embedded", metavar="DATA_DIR", help="start the embedded server on this data dir"
    )
    parser.add_argument("--group-id", type=int, required=True)
    parser.add_argument("--pdf", required=True, help="the PDF to convert")
    parser.add_argument("--work", required=True)
    parser.add_argument("--poll-ms", type=int, default=2000)
    parser.add_argument("--scroll-rows", type=int, default=250)
    parser.add_argument("--tail", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=150.0)
    args = parser.parse_args()
    if not args.embedded and not (args.server and args.key):
        parser.error("give --server and --key, or --embedded")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

    run, instruments = window_run(args)
    shown = run.shown_in_window()
    report = run.sync_report
    figures: dict[str, Any] = {"errors": run.errors}
    if report is None:
        figures["errors"].append("the window's first sync never finished")
    elif report.status.value != "ok" or report.failed or report.conflicts:
        figures["errors"].append(f"the window's first sync: {report}")
    if shown is None or run.post_at is None or run.server_done is None:
        figures["errors"].append(
            f"the conversion never showed in the window ({run.conversion_state})"
        )
    if not figures["errors"]:
        assert run.sync_started is not None and run.sync_finished is not None
        assert run.post_at is not None and run.server_done is not None and shown is not None
        stalls = print_stalls(run, instruments)
        if run.costs:
            print("\nsingle UI-thread operations on the full table (median of 3, heartbeat off)")
            for name, ms in run.costs:
                print(f"  {name:<70}{ms:>8.1f} ms")
        figures.update(
            stalls=stalls.__dict__,
            sync_seconds=run.sync_finished - run.sync_started,
            pulled=report.pulled,
            rows_after_sync=run.rows_after_sync,
            rows_shown_after=(run.rows_shown or run.sync_finished) - run.sync_finished,
            conversion_server=run.server_done - run.post_at,
            conversion_window=shown - run.post_at,
            conversion_state=run.conversion_state,
            syncs=len(run.syncs),
            scrolls=run.scrolls,
            scroll_every_ms=SCROLL_EVERY_MS,
            blocks=sum(
                1
                for c in instruments.callbacks.records
                if c.task == "publication rows" and c.kind == "done" and c.at <= run.end
            ),
            load=run.load,
        )
    print("WINDOW " + json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    main()
    # PySide6 6.12 on Python 3.11 now and then aborts in a deallocator during interpreter
    # finalization; everything is closed by now, so skip it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
