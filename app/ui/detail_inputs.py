"""Small inputs the detail form is made of: an optional date, and a field with the message
shown under it when its value is refused."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

ERROR_STYLE = "color: #c62828;"
API_DATE = "yyyy-MM-dd"


class OptionalDateEdit(QWidget):
    """A date or none: ``value()`` is ``YYYY-MM-DD`` (the API's date format) or None."""

    changed = Signal()

    def __init__(self, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.picker = QDateEdit()
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat(API_DATE)
        self.picker.setDate(QDate.currentDate())
        self.picker.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.picker, 1)
        self.enabled.toggled.connect(self.picker.setEnabled)
        self.enabled.toggled.connect(self.changed)
        self.picker.dateChanged.connect(self.changed)

    def set_value(self, text: str | None) -> None:
        self.blockSignals(True)
        day = QDate.fromString(text, API_DATE) if text else QDate()
        self.enabled.setChecked(day.isValid())
        if day.isValid():
            self.picker.setDate(day)
        self.blockSignals(False)

    def value(self) -> str | None:
        if not self.enabled.isChecked():
            return None
        return self.picker.date().toString(API_DATE)


class FieldBox(QWidget):
    """An input with its error message underneath (hidden while there is none)."""

    def __init__(self, field: QWidget, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setEnabled(False)  # the palette's quieter text colour, not a fixed grey
            layout.addWidget(note)
        layout.addWidget(self.error)

    def set_error(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))
