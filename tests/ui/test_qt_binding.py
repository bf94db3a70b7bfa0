"""The Qt binding itself: PySide6 6.12.0 dropped a reference to ``True`` on every signal
emit, so the window aborted after a few hundred signals. This keeps an upgrade honest."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    happened = Signal(object)


def test_emitting_signals_leaves_reference_counts_alone() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.happened.connect(received.append)
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for number in range(300):
        emitter.happened.emit(number)
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    assert len(received) == 300
    # Other threads may hold a few more or fewer references meanwhile; a leak is hundreds.
    assert all(abs(a - b) < 50 for a, b in zip(after, before, strict=True)), (before, after)
