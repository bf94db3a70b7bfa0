"""The one thread that runs PyMuPDF for the window and the editor.

PyMuPDF is not thread-safe (it shares one MuPDF context), so every PDF check, render and save
started from the UI goes through this serial runner; the thread pool for network and database
work never touches a PDF.
"""

from __future__ import annotations

from PySide6.QtCore import QThreadPool

from app.ui.tasks import TaskRunner

_runner: TaskRunner | None = None


def pdf_runner() -> TaskRunner:
    """The shared serial runner (created on first use, on the UI thread)."""
    global _runner
    if _runner is None:
        pool = QThreadPool()
        pool.setMaxThreadCount(1)
        # Rendering wants the thread warm: an idle thread that expired costs a start-up on
        # the next page shown.
        pool.setExpiryTimeout(-1)
        _runner = TaskRunner(pool)
    return _runner
