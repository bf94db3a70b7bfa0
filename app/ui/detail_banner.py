"""The banner over the detail form when the server refused a change to the publication: what
it said, in sentences, and the two ways on (edit and send again, or drop the change)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.mirror.library import OutboxView
from app.ui.detail_fields import full_message
from app.ui.detail_inputs import ERROR_STYLE
from app.ui.detail_operations import fixable_refusals

ERROR_BORDER = "#c62828"


def refusal_messages(entry: OutboxView) -> list[str]:
    """The server's reasons in sentences: per field when it named fields."""
    named = [
        full_message(name, str(message))
        for name, messages in (entry.field_errors or {}).items()
        for message in messages
    ]
    return named or [entry.error or "The server refused the change and gave no reason."]


class RefusalBanner(QFrame):
    retry_clicked = Signal()
    discard_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refusal-banner")
        self.setStyleSheet(
            f"#refusal-banner {{ border: 1px solid {ERROR_BORDER}; border-radius: 6px; }}"
        )
        self.title = QLabel("✖ The server refused your change")
        self.title.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.retry = QPushButton("&Edit and retry")
        self.retry.setToolTip(
            "Correct the marked fields, then Save: your change is sent again "
            "(Save with no edit sends it again as it is)"
        )
        self.discard = QPushButton("D&iscard my change")
        self.discard.setToolTip("Drop the refused change and show the server's version again")
        self.retry.clicked.connect(self.retry_clicked)
        self.discard.clicked.connect(self.discard_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard)
        buttons.addWidget(self.retry)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.hint.hide()

    def show_refusals(self, refusals: list[OutboxView], *, editing: bool) -> None:
        """What the server said about ``refusals`` (hidden when there are none); ``editing``
        as for ``set_editing``."""
        if not refusals:
            self.hide()
            return
        messages = [message for entry in refusals for message in refusal_messages(entry)]
        self.show_refusal(messages, editable=bool(fixable_refusals(refusals)))
        self.set_editing(editing)

    def show_refusal(self, messages: list[str], *, editable: bool) -> None:
        """``messages`` are the server's words; ``editable`` when a form edit can fix it
        (an update), else the retry button sends the change again as it is."""
        self.message.setText("\n".join(dict.fromkeys(messages)) or "No reason was given.")
        self.retry.setText("&Edit and retry" if editable else "&Retry")
        self.set_editing(False)
        self.show()

    def set_editing(self, editing: bool) -> None:
        """After "Edit and retry": say what Save will do now."""
        self.hint.setText(
            "Correct the fields marked below, then Save (Ctrl+S) to send your change again."
        )
        self.hint.setVisible(editing)
        self.retry.setEnabled(not editing)
