"""Settings: which server the window uses. This computer's embedded server needs nothing;
another server needs its URL and an API key, which goes to the system keyring only."""

from __future__ import annotations

import os

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

from app.mirror.credentials import API_KEY_ENV, save_key
from app.ui.launch import SETTINGS_SERVER_KEY
from app.ui.live_status import OpenGuard, set_message
from app.ui.messages import describe
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

RESTART_NOTE = (
    "Saving switches the window to the chosen server; each server keeps its own local "
    "library, so nothing is lost by switching."
)
ENV_KEY_NOTE = (
    f"{API_KEY_ENV} is set in this computer's environment: Folio uses that key for another "
    "server and ignores a key entered here (or kept in the keyring)."
)


def env_key_set() -> bool:
    """Whether FOLIO_API_KEY is set: it then wins over any key entered here (``load_key``)."""
    return bool(os.environ.get(API_KEY_ENV, "").strip())


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
        self.saving = False
        self._open = OpenGuard()
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
        self.error.setWordWrap(True)
        self.error.hide()
        self.note = QLabel(RESTART_NOTE)
        self.note.setWordWrap(True)
        self.env_key_note = QLabel(ENV_KEY_NOTE)
        self.env_key_note.setWordWrap(True)
        self.env_key_note.setVisible(env_key_set())
        form = QFormLayout()
        form.addRow("Server &address", self.url)
        form.addRow("API &key", self.key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Server</b>"))
        layout.addWidget(self.local)
        layout.addWidget(self.remote)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("Keys are kept in the system keyring (or set FOLIO_API_KEY), never in a file.")
        )
        layout.addWidget(self.env_key_note)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        # The server this window uses, however it was chosen (--server, FOLIO_SERVER_URL or
        # an earlier Save); the saved choice only fills in the address otherwise.
        stored = QSettings().value(SETTINGS_SERVER_KEY)
        self.url.setText(str(workspace.server_url or stored or ""))
        (self.local if workspace.server_url is None else self.remote).setChecked(True)
        self.local.toggled.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        for widget in (self.url, self.key):
            widget.setEnabled(self.remote.isChecked())

    def save(self) -> None:
        if self.saving:
            return
        if self.local.isChecked():
            QSettings().remove(SETTINGS_SERVER_KEY)
            self.saved = True
            self.accept()
            return
        problem = check_server_url(self.url.text())
        if problem:
            set_message(self.error, problem, "bad")
            return
        url, key = self.url.text().strip().rstrip("/"), self.key.text().strip()
        if not key:
            QSettings().setValue(SETTINGS_SERVER_KEY, url)
            self.saved = True
            self.accept()
            return

        def store(_context: TaskContext) -> None:
            # The keyring may talk to a desktop service: not on the UI thread.
            save_key(url, key)

        self._set_saving(True)
        self.workspace.runner.run(
            store,
            name="save key",
            # Closed meanwhile (Esc, the title bar): the key is in the keyring, but the
            # server choice stays as it was.
            on_done=self._open(lambda _result: self._saved(url)),
            on_error=self._open(self._save_failed),
        )

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.buttons.setEnabled(not saving)
        if saving:
            set_message(self.error, "")

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        set_message(self.error, describe(exc), "bad")

    def _saved(self, url: str) -> None:
        self._set_saving(False)
        QSettings().setValue(SETTINGS_SERVER_KEY, url)
        self.key.clear()
        self.saved = True
        self.accept()

    def done(self, result: int) -> None:
        self._open.closed = True
        super().done(result)
