"""Settings: choosing another server and its key (kept in the keyring only), refusing bad
addresses, and switching the window over at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.mirror.credentials import API_KEY_ENV, SERVICE
from app.ui.launch import SETTINGS_SERVER_KEY
from app.ui.settings_dialog import SettingsDialog
from app.ui.workspace import Workspace
from tests.mirror.test_credentials import MemoryKeyring
from tests.ui.window_driver import open_window

URL = "https://folio.example.com"


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def save_button(dialog: SettingsDialog) -> Any:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)


def test_another_server_and_its_key_go_to_settings_and_the_keyring(
    workspace: Workspace, memory_keyring: MemoryKeyring, qtbot: Any
) -> None:
    dialog = SettingsDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.remote.setChecked(True)
    for bad in ("folio.example.com", "https://user:pw@folio.example.com", "https://x.example?k=1"):
        dialog.url.setText(bad)
        save_button(dialog).click()
        assert dialog.error.text(), bad
        assert not dialog.saved
    dialog.url.setText(URL + "/")
    qtbot.keyClicks(dialog.key, "folio_secret_key")
    save_button(dialog).click()
    qtbot.waitUntil(lambda: dialog.saved, timeout=5_000)
    assert QSettings().value(SETTINGS_SERVER_KEY) == URL
    assert memory_keyring.entries == {(SERVICE, URL): "folio_secret_key"}
    # The key lives in the keyring only: not in the settings file.
    QSettings().sync()
    settings_file = QSettings().fileName()
    with open(settings_file, encoding="utf-8") as file:
        assert "folio_secret_key" not in file.read()


def test_without_a_keyring_the_key_is_refused_with_the_remedy(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        dialog = SettingsDialog(workspace)
        qtbot.addWidget(dialog)
        dialog.remote.setChecked(True)
        dialog.url.setText(URL)
        dialog.key.setText("folio_secret_key")
        save_button(dialog).click()
        qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=5_000)
        assert API_KEY_ENV in dialog.error.text()
        assert "folio_secret_key" not in dialog.error.text()
        assert not dialog.saved and QSettings().value(SETTINGS_SERVER_KEY) is None
        assert dialog.key.text() == "folio_secret_key"  # the input is kept
    finally:
        keyring.set_keyring(previous)


def test_saving_another_server_switches_the_window(
    workspace: Workspace, memory_keyring: MemoryKeyring, qtbot: Any
) -> None:
    window = open_window(workspace, qtbot)

    def fill_and_save() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(30, fill_and_save)
            return
        dialog.remote.setChecked(True)
        dialog.url.setText(URL)
        save_button(dialog).click()

    QTimer.singleShot(30, fill_and_save)
    window.actions.open_settings()
    assert window.restart_requested
    assert not window.isVisible()
