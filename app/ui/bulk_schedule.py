"""Scheduling many publications at once: per time, leave it, set it, or clear it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import ValidationError
from app.core.timestamps import parse_datetime
from app.ui.bulk_runs import SCHEDULE_FIELDS, plural
from app.ui.schedule_edit import ScheduleEdit


class ScheduleChoice(QWidget):
    """One schedule field for several publications: leave each one's time as it is (the
    default), give them all the picker's time, or clear it on all of them."""

    LEAVE, SET, CLEAR = "leave", "set", "clear"

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItem("Leave as it is", self.LEAVE)
        self.mode.addItem("Set to", self.SET)
        self.mode.addItem("Clear", self.CLEAR)
        self.mode.setAccessibleName(label)
        # The picker and its time zone; its own checkbox is this choice's "Set to".
        self.edit = ScheduleEdit(label)
        self.edit.enabled.hide()
        self.mode.currentIndexChanged.connect(
            lambda _index: self.edit.enabled.setChecked(self.mode.currentData() == self.SET)
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.edit, 1)

    def choose(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def change(self) -> tuple[bool, str | None]:
        """(whether to change the field, its new API value: None clears it)."""
        mode = self.mode.currentData()
        if mode == self.SET:
            return True, self.edit.value()
        return mode == self.CLEAR, None


def _moment(value: object) -> datetime | None:
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def check_schedule(current: Mapping[str, object], changes: Mapping[str, object]) -> None:
    """Raise ValidationError when ``changes`` would leave a publication whose offline time is
    not after its online time (its other time kept as ``current`` has it)."""
    online, offline = (_moment(changes.get(name, current.get(name))) for name in SCHEDULE_FIELDS)
    if online is not None and offline is not None and offline <= online:
        raise ValidationError({"schedule_offline_at": ["must be later than the online time"]})


class ScheduleDialog(QDialog):
    """One publication: its two times, prefilled, both sent. Several: each time is left
    alone unless the user chooses to set it on all of them or clear it on all of them."""

    LABELS = ("Go online at", "Go offline at")

    def __init__(self, count: int, first: Mapping[str, object], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Schedule {plural(count)}")
        self.setObjectName("schedule")
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828;")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("The server acts on these times: online once the pages are converted.")
        )
        self.fields: dict[str, ScheduleEdit | ScheduleChoice] = {}
        if count == 1:
            for name, label in zip(SCHEDULE_FIELDS, self.LABELS, strict=True):
                edit = ScheduleEdit(label)
                edit.set_value(first.get(name))  # type: ignore[arg-type]
                self.fields[name] = edit
                layout.addWidget(edit)
            layout.addWidget(QLabel("Unchecked: no time set."))
        else:
            form = QFormLayout()
            for name, label in zip(SCHEDULE_FIELDS, self.LABELS, strict=True):
                choice = ScheduleChoice(label)
                self.fields[name] = choice
                form.addRow(f"{label}:", choice)
            layout.addLayout(form)
            explanation = QLabel(
                "“Leave as it is” keeps each selected publication's own time (or its lack of "
                "one); “Set to” gives all of them the time beside it; “Clear” removes that "
                "time from all of them."
            )
            explanation.setWordWrap(True)
            layout.addWidget(explanation)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def changes(self) -> dict[str, object]:
        """The fields to send, with their API values (None clears a time)."""
        changes: dict[str, object] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, ScheduleEdit):
                changes[name] = widget.value()
                continue
            changing, value = widget.change()
            if changing:
                changes[name] = value
        return changes

    def _accept(self) -> None:
        try:
            check_schedule({}, self.changes())
        except ValidationError:
            self.error.setText("The offline time must come after the online time.")
            return
        self.accept()
