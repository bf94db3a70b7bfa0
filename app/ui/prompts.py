"""Message boxes the window uses. Errors and notices open without blocking (the window keeps
working, and tests can read them); questions that decide an action wait for the answer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(
    parent: QWidget | None, title: str, text: str, details: str | None = None
) -> QMessageBox:
    return _show(parent, QMessageBox.Icon.Warning, title, text, details)


def show_info(
    parent: QWidget | None, title: str, text: str, details: str | None = None
) -> QMessageBox:
    return _show(parent, QMessageBox.Icon.Information, title, text, details)


def _show(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, details: str | None
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.setObjectName("folio-message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:
        # Nothing on the Qt side owns a box without a parent: Python would delete it (and
        # the message) as soon as this returns.
        _PARENTLESS.add(box)
        box.finished.connect(lambda _code: _PARENTLESS.discard(box))
    box.open()
    return box


_PARENTLESS: set[QMessageBox] = set()


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before something that can't be undone here; ``action`` labels the yes button."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent
    )
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setObjectName("folio-confirm")
    box.exec()
    return box.clickedButton() is yes
