"""A schedule field: "set" checkbox, a date-time picker and the time zone it is in.

The API stores UTC; the user picks in the computer's local time zone, shown beside the
picker, so "9:00" means 9:00 where they sit.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget

from app.core.timestamps import format_datetime, parse_datetime


def local_zone_label() -> str:
    """``Europe/Berlin (UTC+01:00)``: the zone name and its current offset."""
    zone = QTimeZone.systemTimeZone()
    name = bytes(zone.id().data()).decode() or "local time"
    seconds = zone.offsetFromUtc(QDateTime.currentDateTime())
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{name} (UTC{sign}{hours:02d}:{minutes:02d})"


def to_qdatetime(text: str) -> QDateTime:
    moment = parse_datetime(text)
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()


def to_api_text(value: QDateTime) -> str:
    moment = datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()
    return str(format_datetime(moment))


class ScheduleEdit(QWidget):
    """``value()`` is the API's UTC text or None; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.picker = QDateTimeEdit()
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.picker.setDateTime(QDateTime.currentDateTime().addSecs(3600))
        self.picker.setEnabled(False)
        self.zone = QLabel(local_zone_label())
        self.zone.setToolTip("Times are entered in this computer's time zone and stored in UTC")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.zone)
        self.enabled.toggled.connect(self.picker.setEnabled)
        self.enabled.toggled.connect(self.changed)
        self.picker.dateTimeChanged.connect(self.changed)

    def set_value(self, text: str | None) -> None:
        self.blockSignals(True)
        self.enabled.setChecked(text is not None)
        if text:
            try:
                self.picker.setDateTime(to_qdatetime(text))
            except ValueError:
                self.enabled.setChecked(False)
        self.blockSignals(False)

    def value(self) -> str | None:
        if not self.enabled.isChecked():
            return None
        return to_api_text(self.picker.dateTime())
