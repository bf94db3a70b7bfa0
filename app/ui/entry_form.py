"""The small form the metatag and collection managers add and rename with: its fields, the
check made on OK, and the server's refusal shown under the field it concerns."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.ui.live_status import ERROR_COLOR

Errors = dict[str, list[str]]


class EntryForm(QDialog):
    """A small form for one metatag or collection. OK checks the values with ``check``, then
    hands them to ``submit``; the form closes when the change landed (``finish``) or shows
    why it didn't (``show_errors``), keeping what the user typed."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        action: str,
        fields: list[tuple[str, str, QLineEdit | QComboBox]],
        check: Callable[[dict[str, str]], Errors],
        submit: Callable[[dict[str, str]], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("entry-form")
        self.setWindowTitle(title)
        self.check = check
        self.submit = submit
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.error_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, widget in fields:
            widget.setMinimumWidth(260)
            caption = QLabel(label)
            caption.setBuddy(widget)
            error = _error_label()
            form.addRow(caption, widget)
            form.addRow("", error)
            self.inputs[name] = widget
            self.error_labels[name] = error
        self.general_error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def values(self) -> dict[str, str]:
        return {
            name: (w.currentText() if isinstance(w, QComboBox) else w.text()).strip()
            for name, w in self.inputs.items()
        }

    def accept(self) -> None:
        values = self.values()
        errors = self.check(values)
        self.show_errors(errors)
        if not errors:
            self.ok_button.setEnabled(False)
            self.submit(values)

    def show_errors(self, errors: Errors) -> None:
        self.ok_button.setEnabled(True)
        general = []
        for name, label in self.error_labels.items():
            label.setText("; ".join(_sentence(m) for m in errors.get(name, [])))
            label.setVisible(bool(label.text()))
        for name, messages in errors.items():
            if name not in self.error_labels:
                general.extend(_sentence(m) for m in messages)
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))
        for name, widget in self.inputs.items():
            if errors.get(name):
                widget.setFocus()
                break

    def finish(self) -> None:
        super().accept()


def _sentence(message: str) -> str:
    """The server words field errors Rails-style ("can't be blank"); under a field they
    read as a sentence."""
    return message[:1].upper() + message[1:] if message else message


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setWordWrap(True)
    label.hide()
    return label
