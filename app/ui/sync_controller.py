"""Background sync: at start (once the server is reachable), every few minutes, and when the
user asks. One sync at a time; a request during a sync runs once more after it."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from app.mirror.library import MirrorStatus
from app.mirror.sync import SyncReport, SyncStatus
from app.ui.tasks import TaskContext, TaskHandle
from app.ui.workspace import Workspace

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 120_000


class SyncController(QObject):
    started = Signal()
    progressed = Signal(str, int, int)  # phase, done, total
    finished = Signal(object)  # SyncReport
    status_changed = Signal(object)  # MirrorStatus

    def __init__(self, workspace: Workspace, interval_ms: int = SYNC_INTERVAL_MS) -> None:
        super().__init__()
        self.workspace = workspace
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.sync_now)
        self._handle: TaskHandle | None = None
        self._again = False
        self.last_report: SyncReport | None = None
        self.last_status: MirrorStatus | None = None

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        """Sync now and then on the timer."""
        self.timer.start()
        self.sync_now()

    def stop(self) -> None:
        self.timer.stop()
        if self._handle is not None:
            self._handle.cancel()

    def cancel(self) -> None:
        """Stop the running sync between two steps; finished pages of it are kept."""
        self._again = False
        if self._handle is not None:
            self._handle.cancel()

    def sync_now(self) -> None:
        if self.workspace.connection is None:
            self.refresh_status()
            return
        if self._handle is not None:
            self._again = True
            return
        self.started.emit()
        self._handle = self.workspace.runner.run(
            self._sync,
            name="sync",
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
        )

    def _sync(self, context: TaskContext) -> tuple[SyncReport, MirrorStatus]:
        api = self.workspace.api()
        # The progress text carries the phase, so one signal serves both.
        report = self.workspace.library.sync(
            api.session,
            progress=lambda phase, done, total: context.progress(done, total, phase),
            cancel=context.cancel,
        )
        return report, self.workspace.library.status()

    def _progress(self, done: int, total: int, phase: str) -> None:
        self.progressed.emit(phase, done, total)

    def _done(self, result: tuple[SyncReport, MirrorStatus]) -> None:
        report, status = result
        self._handle = None
        self.last_report = report
        if report.status is not SyncStatus.OK:
            log.info("sync ended %s: %s", report.status.value, report.message)
        self.finished.emit(report)
        self._set_status(status)
        self._run_again()

    def _failed(self, exc: BaseException) -> None:
        from app.ui.messages import describe

        self._handle = None
        report = SyncReport(SyncStatus.ERROR, describe(exc))
        self.last_report = report
        self.finished.emit(report)
        self.refresh_status()
        self._run_again()

    def _run_again(self) -> None:
        if self._again:
            self._again = False
            self.sync_now()

    def refresh_status(self) -> None:
        """Read the pending and conflict counts again (after a local edit, say)."""
        self.workspace.runner.run(
            lambda _context: self.workspace.library.status(),
            name="status",
            on_done=self._set_status,
        )

    def _set_status(self, status: MirrorStatus) -> None:
        self.last_status = status
        self.status_changed.emit(status)
