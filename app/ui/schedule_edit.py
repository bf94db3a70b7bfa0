"""A schedule field: "set" checkbox, a date-time picker and the time zone it is in.

The API stores UTC; the user picks in the computer's local time zone, shown beside the
picker with the offset in force on the picked date (summer and winter time differ), so
"9:00" means 9:00 where they sit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTime, QTimeZone, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget

from app.core.timestamps import format_datetime, parse_datetime


def local_zone_label(moment: QDateTime | None = None) -> str:
    """``Europe/Berlin (UTC+02:00)``: this computer's zone and its offset at ``moment`` (now
    when None)."""
    zone = QTimeZone.systemTimeZone()
    name = bytes(zone.id().data()).decode() or "local time"
    seconds = zone.offsetFromUtc(moment if moment is not None else QDateTime.currentDateTime())
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{name} (UTC{sign}{hours:02d}:{minutes:02d})"


def next_full_hour() -> QDateTime:
    """The next full hour in local time: what an unset schedule offers first."""
    now = QDateTime.currentDateTime()
    hour = QDateTime(now.date(), QTime(now.time().hour(), 0))
    return hour.addSecs(3600)


def to_qdatetime(text: str) -> QDateTime:
    """The API's UTC ``text`` as a local date-time. Raises ValueError."""
    moment = parse_datetime(text)
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()


def to_api_text(value: QDateTime) -> str:
    """A picked date-time as the API's UTC text."""
    return str(format_datetime(datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)))


class ScheduleEdit(QWidget):
    """``value()`` is the API's UTC text or None; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.picker = QDateTimeEdit()
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.picker.setDateTime(next_full_hour())
        self.picker.setEnabled(False)
        self.zone = QLabel(local_zone_label(self.picker.dateTime()))
        self.zone.setToolTip("Times are entered in this computer's time zone and stored in UTC")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.zone)
        self.enabled.toggled.connect(self.picker.setEnabled)
        self.enabled.toggled.connect(self.changed)
        self.picker.dateTimeChanged.connect(self._show_zone)
        self.picker.dateTimeChanged.connect(self.changed)

    def _show_zone(self, moment: QDateTime) -> None:
        self.zone.setText(local_zone_label(moment))

    def set_value(self, text: str | None) -> None:
        """Show the API's UTC ``text``; None (or unreadable text) unticks the box and offers
        the next full hour, not the time shown before."""
        self.blockSignals(True)
        moment = None
        if text:
            try:
                moment = to_qdatetime(text)
            except ValueError:
                moment = None
        self.enabled.setChecked(moment is not None)
        self.picker.setDateTime(moment if moment is not None else next_full_hour())
        self.blockSignals(False)

    def value(self) -> str | None:
        if not self.enabled.isChecked():
            return None
        return to_api_text(self.picker.dateTime())
