"""Waiting for background work without freezing: the event loop keeps running meanwhile.
For the screenshot command and start-up checks only; the window itself never waits."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop


def wait_until(condition: Callable[[], bool], timeout: float, step_ms: int = 20) -> bool:
    """Process events until ``condition()`` holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, step_ms)
        time.sleep(step_ms / 1000)
    return True
