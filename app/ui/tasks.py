"""Background work for the window: every network, disk-heavy or rendering call runs in a
QThreadPool worker and reports back on the UI thread through a queued signal.

``run_task(fn, on_done=..., on_error=...)`` runs ``fn(context)`` in the pool; the callbacks
run on the UI thread. ``context.cancelled`` and ``context.progress(done, total, text)`` let
long work be cancelled and show how far it is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from app.core.errors import FolioError

log = logging.getLogger(__name__)

# What a task may fail with in normal use (the server refused, the network is down, the
# user's file can't be read): the window says why. Anything else is a bug worth a traceback.
EXPECTED_FAILURES: tuple[type[BaseException], ...] = (FolioError, OSError)


@dataclass
class TaskContext:
    """What a running task can see: its cancel flag and a way to report progress."""

    cancel: threading.Event = field(default_factory=threading.Event)
    _report: Callable[[int, int, str], None] | None = None

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def progress(self, done: int, total: int, text: str = "") -> None:
        if self._report is not None:
            self._report(done, total, text)


# Every unfinished task's handle, whoever started it: a worker may still emit on its handle
# after the runner (or the window that owned it) is gone, so handles live until they finish.
_UNFINISHED: set[TaskHandle] = set()


class TaskHandle(QObject):
    """Lives on the UI thread; the worker emits its signals, so the slots run there."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)
    finished = Signal()

    def __init__(self, name: str, running: set[TaskHandle]) -> None:
        super().__init__()
        self.name = name
        self.context = TaskContext(_report=self._emit_progress)
        self._running = running
        running.add(self)
        _UNFINISHED.add(self)

    @Slot()
    def _forget(self) -> None:
        self._running.discard(self)
        _UNFINISHED.discard(self)
        self.deleteLater()

    def _emit_progress(self, done: int, total: int, text: str) -> None:
        self.progressed.emit(done, total, text)

    def cancel(self) -> None:
        self.context.cancel.set()


class _Runnable(QRunnable):
    def __init__(self, handle: TaskHandle, fn: Callable[[TaskContext], Any]) -> None:
        super().__init__()
        self.handle = handle
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(self.handle.context)
        except BaseException as exc:  # reported to the UI, never lost in a worker thread
            if isinstance(exc, EXPECTED_FAILURES):
                log.debug("task %s failed", self.handle.name, exc_info=True)
            else:
                # A bug: the traceback goes to the log file now, as it is dropped below.
                log.error("task %s failed unexpectedly", self.handle.name, exc_info=True)
            # Without its traceback: the frames would keep this runnable's Python wrapper
            # alive after Qt deleted it, and its late collection corrupts PySide's state.
            exc.__traceback__ = None
            self.handle.failed.emit(exc)
        else:
            self.handle.succeeded.emit(result)
        finally:
            self.handle.finished.emit()


def _while_alive(owner: QObject, callback: Callable[..., Any]) -> Callable[..., None]:
    def call(*args: Any) -> None:
        if shiboken6.isValid(owner):
            callback(*args)

    return call


class TaskRunner(QObject):
    """Starts tasks and keeps their handles alive until they finish."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[TaskHandle] = set()

    def run(
        self,
        fn: Callable[[TaskContext], Any],
        *,
        name: str = "task",
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """``owner``: the widget the callbacks belong to; once Qt deleted it (its window
        closed), they are skipped instead of touching deleted widgets."""
        handle = TaskHandle(name, self._running)
        for signal, callback in (
            (handle.succeeded, on_done),
            (handle.failed, on_error),
            (handle.progressed, on_progress),
            (handle.finished, on_finished),
        ):
            if callback is not None:
                signal.connect(callback if owner is None else _while_alive(owner, callback))
        # Last: slots run in the order they were connected, and letting go of the handle
        # first could delete it before the caller's on_finished ran.
        handle.finished.connect(handle._forget)
        self.pool.start(_Runnable(handle, fn))
        return handle

    @property
    def busy(self) -> int:
        return len(self._running)

    def cancel_all(self) -> None:
        for handle in list(self._running):
            handle.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for the pool to drain (at exit and in tests)."""
        return self.pool.waitForDone(msecs)
