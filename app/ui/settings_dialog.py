"""Settings: which server the window uses. This computer's embedded server needs nothing;
another server needs its URL and an API key, which goes to the system keyring only."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.launch import SETTINGS_SERVER_KEY
from app.ui.messages import describe
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

RESTART_NOTE = (
    "Saving switches the window to the chosen server; each server keeps its own local "
    "library, so nothing is lost by switching."
)


def check_server_url(text: str) -> str | None:
    """The reason ``text`` is not a usable server URL, or None."""
    url = QUrl(text.strip())
    if not text.strip():
        return "Enter the server's address, e.g. https://folio.example.com"
    if url.scheme() not in ("http", "https") or not url.host():
        return "The address must start with http:// or https:// and name a host"
    if url.hasQuery() or url.hasFragment() or url.userName():
        return "Enter the server's base address only, without credentials or a query"
    return None


class SettingsDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.saved = False
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self.local = QRadioButton("&This computer (the built-in server; nothing to set up)")
        self.remote = QRadioButton("&Another server:")
        choice = QButtonGroup(self)
        choice.addButton(self.local)
        choice.addButton(self.remote)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://folio.example.com")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("leave empty to keep the stored key")
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.note = QLabel(RESTART_NOTE)
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Server &address", self.url)
        form.addRow("API &key", self.key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Server</b>"))
        layout.addWidget(self.local)
        layout.addWidget(self.remote)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("Keys are kept in the system keyring (or set FOLIO_API_KEY), never in a file.")
        )
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        stored = QSettings().value(SETTINGS_SERVER_KEY)
        self.url.setText(str(stored or workspace.server_url or ""))
        (self.remote if stored else self.local).setChecked(True)
        self.local.toggled.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        for widget in (self.url, self.key):
            widget.setEnabled(self.remote.isChecked())

    def save(self) -> None:
        if self.local.isChecked():
            QSettings().remove(SETTINGS_SERVER_KEY)
            self.saved = True
            self.accept()
            return
        problem = check_server_url(self.url.text())
        if problem:
            self.error.setText(problem)
            return
        url, key = self.url.text().strip().rstrip("/"), self.key.text().strip()
        if not key:
            QSettings().setValue(SETTINGS_SERVER_KEY, url)
            self.saved = True
            self.accept()
            return

        def store(_context: TaskContext) -> None:
            # The keyring may talk to a desktop service: not on the UI thread.
            from app.mirror.credentials import save_key

            save_key(url, key)

        self.error.setText("")
        self.workspace.runner.run(
            store,
            name="save key",
            on_done=lambda _result: self._saved(url),
            on_error=lambda exc: self.error.setText(describe(exc)),
        )

    def _saved(self, url: str) -> None:
        QSettings().setValue(SETTINGS_SERVER_KEY, url)
        self.key.clear()
        self.saved = True
        self.accept()
