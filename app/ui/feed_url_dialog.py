"""The small dialog that asks for a product feed's http(s) address, and the check it makes
before the address is sent."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.ui.live_status import set_message


def feed_url_problem(text: str) -> str | None:
    """Why ``text`` can't be a feed URL, or None when it can (http or https with a host)."""
    text = text.strip()
    if not text:
        return "Enter the feed's address."
    if any(char.isspace() for char in text):
        return "An address has no spaces."
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "The address is not valid (check the port)."
    if parts.scheme.lower() not in ("http", "https"):
        return "The address must start with http:// or https://."
    if not parts.hostname:
        return "The address has no host name."
    return None


class FeedUrlDialog(QDialog):
    """Asks for a feed's http(s) address and checks it before it is sent."""

    def __init__(self, title: str, text: str, url: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        explanation = QLabel(text)
        explanation.setWordWrap(True)
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("https://shop.example/feed.xml")
        self.url.setMinimumWidth(460)
        self.error = QLabel()
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.url)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        problem = feed_url_problem(self.url.text())
        if problem:
            set_message(self.error, problem, "bad")
            return
        self.accept()
