"""What the dialogs that follow work on the server share: ``Poller`` (ask the server again on a
timer, one request at a time), ``OpenGuard`` (drop a worker's answer once the dialog closed),
``StateBadge`` (a state as a coloured pill), and the message and time helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.ui.tasks import TaskContext, TaskRunner

ERROR_COLOR = "#c62828"
GOOD_COLOR = "#2e7d32"


def format_time(iso: str | None) -> str:
    """An API timestamp in this computer's time zone, or "" when there is none."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def short_time(iso: str | None) -> str:
    """Like ``format_time``, without the date when it is today."""
    full = format_time(iso)
    today = datetime.now().astimezone().strftime("%Y-%m-%d ")
    return full.removeprefix(today) if full.startswith(today) else full[:16]


def set_message(label: QLabel, text: str, tone: str = "") -> None:
    """Show ``text`` in ``label`` in the palette's colour, or red ("bad") / green ("good")."""
    color = {"bad": ERROR_COLOR, "good": GOOD_COLOR}.get(tone)
    label.setStyleSheet(f"color: {color};" if color else "")
    label.setText(text)
    label.setVisible(bool(text))


class Poller(QObject):
    """Runs ``fetch`` in a worker every ``interval_ms`` while started, never two at once; the
    result (or error) reaches the callbacks on the UI thread. ``poll_now`` asks at once (or
    right after the request under way, whose answer may predate what the caller just did).
    Nothing is delivered after ``close``."""

    def __init__(
        self,
        runner: TaskRunner,
        fetch: Callable[[TaskContext], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        interval_ms: int,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.fetch = fetch
        self.on_result = on_result
        self.on_error = on_error
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll_now)
        self._busy = False
        self._again = False
        self._closed = False

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        if not self._closed and not self.timer.isActive():
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def close(self) -> None:
        self._closed = True
        self.timer.stop()

    def poll_now(self) -> None:
        if self._closed:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        self.runner.run(
            self.fetch,
            name="poll",
            on_done=self._deliver,
            on_error=self._fail,
            on_finished=self._idle,
        )

    def _deliver(self, result: Any) -> None:
        if not self._closed:
            self.on_result(result)

    def _fail(self, exc: BaseException) -> None:
        if not self._closed:
            self.on_error(exc)

    def _idle(self) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.poll_now()


BADGE_TONES = {
    "good": f"background: {GOOD_COLOR}; color: white;",
    "bad": f"background: {ERROR_COLOR}; color: white;",
    "busy": "background: palette(highlight); color: palette(highlighted-text);",
    "neutral": "border: 1px solid palette(mid);",
}


class OpenGuard:
    """Wraps a dialog's callbacks so they do nothing once it closed: a worker may answer
    after the dialog (and its widgets) are gone."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., None]:
        def call(*args: Any) -> None:
            if not self.closed:
                fn(*args)

        return call


class StateBadge(QLabel):
    """A state as a small pill: green when good, red when failed, the palette's highlight
    while working, an outline otherwise (so it reads in light and dark themes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.state = ""

    def set_state(self, state: str, tone: str) -> None:
        self.state = state
        self.setText(state)
        self.setStyleSheet(
            f"QLabel {{ {BADGE_TONES.get(tone, BADGE_TONES['neutral'])} "
            "border-radius: 8px; padding: 1px 9px; font-weight: 600; }"
        )
