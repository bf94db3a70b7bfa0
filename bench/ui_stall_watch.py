"""Instruments for bench/ui_responsiveness.py: an event-loop heartbeat, a sampler that says
what the UI thread was doing during a stall, and timings of the callbacks that bring worker
results back to the UI thread.

- ``Heartbeat``: a 10 ms precise QTimer; each tick records how much later than 10 ms it came
  (the stall: the time the event loop could not answer).
- ``StackSampler``: a plain thread that every 5 ms reads the UI thread's Python stack
  (``sys._current_frames``). A stall's samples name the code that ran (or, with no Python
  frame above the event loop, say that Qt's own C++ work or a wait for the GIL held it).
  The sampler's own oversleep is a measure of how long other threads kept the GIL.
- ``CallbackTimer``: wraps ``TaskRunner.run`` so every on_done / on_progress / on_error
  callback (they run on the UI thread) is timed by task name.
- ``GcTimer``: times every garbage collection; one stops all threads, the UI thread too.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

REPO = Path(__file__).resolve().parents[1]
APP_DIR = str(REPO / "app")
BENCH_DIR = str(REPO / "bench")


# --- heartbeat ---------------------------------------------------------------------------------


class Heartbeat(QObject):
    """Ticks every ``interval_ms``; ``stalls`` holds (tick time, ms later than due)."""

    def __init__(self, interval_ms: int = 10) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.ticks: list[tuple[float, float]] = []  # (perf_counter at the tick, stall ms)
        self._last = 0.0

    def start(self) -> None:
        self.ticks.clear()
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.ticks.append((now, max(0.0, (now - self._last) * 1000 - self.interval_ms)))
        self._last = now

    def between(self, start: float, end: float) -> list[tuple[float, float]]:
        return [tick for tick in self.ticks if start <= tick[0] <= end]


@dataclass
class StallFigures:
    ticks: int
    longest: float
    p99: float
    p95: float
    median: float
    over_50: int
    over_100: int
    stalled_ms: float
    """The sum of the stalls over 50 ms: time the window could not answer."""

    @classmethod
    def of(cls, ticks: list[tuple[float, float]]) -> StallFigures:
        stalls = sorted(stall for _, stall in ticks) or [0.0]

        def rank(share: float) -> float:
            return stalls[min(len(stalls) - 1, int(share * len(stalls)))]

        return cls(
            ticks=len(ticks),
            longest=stalls[-1],
            p99=rank(0.99),
            p95=rank(0.95),
            median=statistics.median(stalls),
            over_50=sum(1 for s in stalls if s > 50),
            over_100=sum(1 for s in stalls if s > 100),
            stalled_ms=sum(s for s in stalls if s > 50),
        )


# --- stack sampling ----------------------------------------------------------------------------


def _where(frame: Any) -> str:
    code = frame.f_code
    path = code.co_filename
    short = path[len(str(REPO)) + 1 :] if path.startswith(str(REPO)) else Path(path).name
    return f"{short}:{code.co_name}:{frame.f_lineno}"


def ui_stack(frame: Any) -> tuple[str, ...]:
    """The UI thread's stack from the event loop up, innermost last, our code only (app/ and
    bench/ frames; other frames collapse into the nearest library call below them)."""
    frames: list[Any] = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    frames.reverse()
    # Everything up to the frame that runs the event loop (bench code waiting) is "idle".
    base = 0
    for number, f in enumerate(frames):
        if f.f_code.co_filename.startswith(BENCH_DIR) and f.f_code.co_name in WAITING:
            base = number + 1
    shown: list[str] = []
    for f in frames[base:]:
        path = f.f_code.co_filename
        if path.startswith(APP_DIR) or path.startswith(BENCH_DIR):
            shown.append(_where(f))
        elif shown and not shown[-1].startswith("  lib "):
            shown.append(f"  lib {Path(path).parent.name}/{Path(path).name}:{f.f_code.co_name}")
    return tuple(shown)


WAITING = {"run_until"}  # bench functions that sit in the event loop
LATE_MS = 20.0


@dataclass
class Sample:
    at: float
    stack: tuple[str, ...]
    late_ms: float
    """How much later than asked the sampler woke: another thread held the GIL meanwhile."""
    on_cpu_ns: int
    """The UI thread's time on a CPU so far (/proc schedstat)."""
    runqueue_ns: int
    """The UI thread's time so far waiting, runnable, for a CPU another process held."""
    others: tuple[str, ...] = ()
    """When the sampler was held off the GIL: where each other busy thread stands (the one
    that held the GIL is most likely just past the call that held it)."""
    workers: tuple[int, int] | None = None
    """The same two clocks summed over this process's other threads (the sampler's own
    excluded), every 4th sample (reading them all costs a quarter millisecond): did the
    thread holding the GIL run, or wait for a CPU itself?"""


def _innermost(frame: Any) -> str | None:
    """The innermost frame, and the innermost app/ frame under it; None for a thread that
    is not running app code (the bench's own helpers, idle pool threads)."""
    first = _where(frame)
    while frame is not None:
        if frame.f_code.co_filename.startswith(APP_DIR):
            own = _where(frame)
            return first if own == first else f"{own} -> {first}"
        frame = frame.f_back
    return None


def _schedstat(path: str) -> tuple[int, int]:
    try:
        with open(path) as file:
            on_cpu, runqueue, _slices = file.read().split()
        return int(on_cpu), int(runqueue)
    except (OSError, ValueError):
        return 0, 0


def _other_threads(skip: set[int]) -> tuple[int, int]:
    """(on CPU, waiting for a CPU) ns summed over this process's threads not in ``skip``."""
    on_cpu = runqueue = 0
    for name in os.listdir("/proc/self/task"):
        if int(name) in skip:
            continue
        cpu, wait = _schedstat(f"/proc/self/task/{name}/schedstat")
        on_cpu += cpu
        runqueue += wait
    return on_cpu, runqueue


@dataclass
class StackSampler:
    period: float = 0.005
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        main_id = threading.main_thread().ident
        schedstat = f"/proc/self/task/{threading.main_thread().native_id}/schedstat"
        self._stop.clear()

        def run() -> None:
            me = threading.get_ident()
            skip = {threading.main_thread().native_id or 0, threading.get_native_id()}
            due = time.perf_counter() + self.period
            while not self._stop.is_set():
                time.sleep(max(0.0, due - time.perf_counter()))
                now = time.perf_counter()
                frame = sys._current_frames().get(main_id)  # type: ignore[arg-type]
                stack = ui_stack(frame) if frame is not None else ()
                on_cpu, runqueue = _schedstat(schedstat)
                late = max(0.0, (now - due) * 1000)
                others: tuple[str, ...] = ()
                if late > LATE_MS:
                    found = (
                        _innermost(f)
                        for ident, f in sys._current_frames().items()
                        if ident not in (main_id, me)
                    )
                    others = tuple(where for where in found if where is not None)
                workers = _other_threads(skip) if len(self.samples) % 4 == 0 else None
                self.samples.append(Sample(now, stack, late, on_cpu, runqueue, others, workers))
                due = max(due + self.period, now + self.period / 2)

        self._thread = threading.Thread(target=run, name="stall sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at <= end]

    def _around(
        self, start: float, end: float, workers: bool = False
    ) -> tuple[Sample, Sample] | None:
        chosen = [s for s in self.samples if s.workers is not None] if workers else self.samples
        before = [s for s in chosen if s.at <= start]
        after = [s for s in chosen if s.at >= end]
        return (before[-1], after[0]) if before and after else None

    def ui_thread_time(self, start: float, end: float) -> tuple[float, float] | None:
        """(ms on a CPU, ms waiting for a CPU) of the UI thread from ``start`` to ``end``,
        between the nearest samples; the rest of the time it was blocked (on the GIL, or idle)."""
        around = self._around(start, end)
        if around is None:
            return None
        first, last = around
        return (
            (last.on_cpu_ns - first.on_cpu_ns) / 1e6,
            (last.runqueue_ns - first.runqueue_ns) / 1e6,
        )

    def worker_time(self, start: float, end: float) -> tuple[float, float] | None:
        """The same for this process's other threads together (the sampler excluded), over
        the span between the nearest samples that read them (up to 20 ms wider)."""
        around = self._around(start, end, workers=True)
        if around is None or around[0].workers is None or around[1].workers is None:
            return None
        (cpu_before, wait_before), (cpu_after, wait_after) = around[0].workers, around[1].workers
        return max(0.0, (cpu_after - cpu_before) / 1e6), max(0.0, (wait_after - wait_before) / 1e6)


def describe_stall(samples: list[Sample]) -> list[tuple[str, int]]:
    """The UI thread's code during one stall: (entry -> innermost, samples), most first."""
    counts: Counter[str] = Counter()
    for sample in samples:
        if not sample.stack:
            counts["(no Python frame: Qt C++ work, or waiting for the GIL)"] += 1
            continue
        entry = sample.stack[0]
        inner = sample.stack[-1]
        counts[entry if entry == inner else f"{entry} -> ... -> {inner}"] += 1
    return counts.most_common(3)


# --- callback timing ---------------------------------------------------------------------------


@dataclass
class CallbackRecord:
    task: str
    kind: str
    at: float
    ms: float


class CallbackTimer:
    """Times every callback of ``TaskRunner.run`` (they run on the UI thread)."""

    def __init__(self) -> None:
        self.records: list[CallbackRecord] = []
        self._original: Any = None

    def install(self) -> None:
        from app.ui.tasks import TaskRunner

        original = TaskRunner.run
        self._original = original
        records = self.records

        def timed(task: str, kind: str, fn: Callable[..., Any] | None) -> Any:
            if fn is None:
                return None

            def wrapper(*args: Any) -> Any:
                started = time.perf_counter()
                try:
                    return fn(*args)
                finally:
                    ended = time.perf_counter()
                    records.append(CallbackRecord(task, kind, started, (ended - started) * 1000))

            return wrapper

        def run(self: Any, fn: Any, *, name: str = "task", **callbacks: Any) -> Any:
            wrapped = {
                key: timed(name, key.removeprefix("on_"), value) for key, value in callbacks.items()
            }
            return original(self, fn, name=name, **wrapped)

        TaskRunner.run = run  # type: ignore[method-assign]

    def uninstall(self) -> None:
        from app.ui.tasks import TaskRunner

        if self._original is not None:
            TaskRunner.run = self._original  # type: ignore[method-assign]

    def summary(self, start: float, end: float) -> list[tuple[str, int, float, float]]:
        """(task/callback, calls, total ms, longest ms) of the callbacks that began between
        ``start`` and ``end``, longest first."""
        grouped: dict[str, list[float]] = defaultdict(list)
        for record in self.records:
            if not start <= record.at <= end:
                continue
            grouped[f"{record.task} / {record.kind}"].append(record.ms)
        rows = [(key, len(ms), sum(ms), max(ms)) for key, ms in grouped.items()]
        return sorted(rows, key=lambda row: row[3], reverse=True)

    def during(self, start: float, end: float) -> list[CallbackRecord]:
        return [r for r in self.records if r.at <= end and r.at + r.ms / 1000 >= start]


# --- garbage collection ------------------------------------------------------------------------


@dataclass
class Collection:
    at: float
    ms: float
    generation: int
    collected: int
    on_ui_thread: bool


class GcTimer:
    """Times every garbage collection (``gc.callbacks``): a collection stops every thread,
    whichever thread's allocation set it off."""

    def __init__(self) -> None:
        self.collections: list[Collection] = []
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
            return
        self.collections.append(
            Collection(
                self._started,
                (now - self._started) * 1000,
                info["generation"],
                info["collected"],
                threading.current_thread() is threading.main_thread(),
            )
        )

    def install(self) -> None:
        gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def during(self, start: float, end: float) -> list[Collection]:
        return [c for c in self.collections if c.at <= end and c.at + c.ms / 1000 >= start]

    def summary(self, start: float, end: float) -> list[tuple[int, int, float, float]]:
        """(generation, collections, total ms, longest ms) of those begun from ``start`` to
        ``end``."""
        rows = []
        chosen = [c for c in self.collections if start <= c.at <= end]
        for generation in (0, 1, 2):
            ms = [c.ms for c in chosen if c.generation == generation]
            if ms:
                rows.append((generation, len(ms), sum(ms), max(ms)))
        return rows


@dataclass
class Instruments:
    heartbeat: Heartbeat = field(default_factory=Heartbeat)
    sampler: StackSampler = field(default_factory=StackSampler)
    callbacks: CallbackTimer = field(default_factory=CallbackTimer)
    collections: GcTimer = field(default_factory=GcTimer)

    def start(self) -> None:
        """Callbacks are timed from ``callbacks.install()`` on (before the window is built)."""
        self.collections.install()
        self.sampler.start()
        self.heartbeat.start()

    def stop(self) -> None:
        self.heartbeat.stop()
        self.sampler.stop()
        self.collections.uninstall()
        self.callbacks.uninstall()
