"""Long-lived rendering processes for PyMuPDF work (spawned: the server has threads, so fork
is unsafe; ``import pymupdf`` costs over a second, so they live as long as the server).

A process that dies (a crash in MuPDF, the OOM killer) breaks the whole executor; the pool
then starts fresh processes for the next call. A call that takes too long has its processes
killed, since a page looping inside MuPDF can't be interrupted any other way.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from app.pdf.render_worker import init_worker

log = logging.getLogger(__name__)

T = TypeVar("T")


class RenderTimeout(Exception):
    """A rendering call ran past its deadline; its processes were stopped."""


class PoolClosed(Exception):
    """The server is stopping: no new rendering work starts."""


class RenderPool:
    def __init__(self, processes: int) -> None:
        self.processes = max(1, processes)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise PoolClosed("the rendering pool is shut down")
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                )
            return self._executor

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue ``fn(*args)`` in a rendering process; a pool broken by an earlier crash is
        replaced first (one retry)."""
        executor = self._get()
        try:
            return executor.submit(fn, *args)
        except BrokenProcessPool:
            self.reset(executor)
            return self._get().submit(fn, *args)

    def call(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:
        """Run ``fn(*args)`` in a rendering process and wait at most ``timeout`` seconds.

        Raises RenderTimeout (the pool's processes are then stopped and replaced),
        BrokenProcessPool when a process died while working on it, or what ``fn`` raised.
        """
        future = self.submit(fn, *args)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            self.kill()
            raise RenderTimeout(f"took more than {timeout:g} s") from None

    def reset(self, broken: ProcessPoolExecutor | None = None) -> None:
        """Forget the executor (only ``broken`` when given); the next call starts afresh."""
        with self._lock:
            if self._executor is None or (broken is not None and self._executor is not broken):
                return
            executor, self._executor = self._executor, None
        executor.shutdown(wait=False, cancel_futures=True)

    def kill(self) -> None:
        """Stop the processes now (a hung page can't be interrupted otherwise)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        # The executor has no public way to stop busy workers; terminating them is the
        # documented effect of a broken pool, which shutdown then cleans up.
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        log.warning("rendering processes stopped")

    def shutdown(self, grace: float = 10.0) -> None:
        """Refuse new work, let running calls finish for ``grace`` seconds, then stop."""
        with self._lock:
            self._closed = True
            executor = self._executor
        if executor is None:
            return
        done = threading.Event()

        def wait_for_workers() -> None:
            executor.shutdown(wait=True, cancel_futures=True)
            done.set()

        threading.Thread(target=wait_for_workers, daemon=True).start()
        if not done.wait(grace):
            self.kill()
