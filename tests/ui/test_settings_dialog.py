"""Settings: choosing another server and its key (kept in the keyring only), refusing bad
addresses, and switching the window over at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.mirror.credentials import API_KEY_ENV, NO_KEYRING_MESSAGE, SERVICE
from app.settings import resolve_paths
from app.ui.launch import SETTINGS_SERVER_KEY
from app.ui.settings_dialog import SettingsDialog
from app.ui.tasks import TaskRunner
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


def cancel_button(dialog: SettingsDialog) -> Any:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)


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


class SlowKeyring(MemoryKeyring):
    """A keyring that waits for the user to unlock it, as a desktop keyring may."""

    def __init__(self) -> None:
        super().__init__()
        self.unlocked = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.unlocked.wait(10)
        super().set_password(service, username, password)


class BrokenKeyring(MemoryKeyring):
    """A keyring backend with a bug of its own (not a KeyringError)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("backend bug")


@pytest.fixture
def slow_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowKeyring]:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    previous = keyring.get_keyring()
    backend = SlowKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.unlocked.set()
    keyring.set_keyring(previous)


def test_closing_settings_while_the_key_is_stored_changes_no_server(
    workspace: Workspace, slow_keyring: SlowKeyring, qtbot: Any
) -> None:
    dialog = SettingsDialog(workspace)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the window opens it
    dialog.show()
    dialog.remote.setChecked(True)
    dialog.url.setText(URL)
    dialog.key.setText("folio_secret_key")
    save_button(dialog).click()
    assert dialog.saving
    assert not save_button(dialog).isEnabled()
    assert not cancel_button(dialog).isEnabled()

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel is greyed out; Esc still closes
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)
    slow_keyring.unlocked.set()
    qtbot.waitUntil(lambda: workspace.runner.busy == 0, timeout=10_000)

    assert not dialog.saved
    assert QSettings().value(SETTINGS_SERVER_KEY) is None
    # The keyring did take the key (that can't be stopped), for the server typed in.
    assert slow_keyring.entries == {(SERVICE, URL): "folio_secret_key"}


def test_a_window_on_another_server_shows_it_chosen_in_settings(
    workspace: Workspace, qtbot: Any
) -> None:
    assert QSettings().value(SETTINGS_SERVER_KEY) is None  # chosen by --server, as it were
    dialog = SettingsDialog(workspace)
    qtbot.addWidget(dialog)
    assert dialog.remote.isChecked()
    assert dialog.url.text() == workspace.server_url
    assert dialog.url.isEnabled()


def test_a_window_on_this_computer_shows_it_chosen_in_settings(tmp_path: Path, qtbot: Any) -> None:
    # Settings name another server, but FOLIO_SERVER_URL="" or a restart chose this one.
    QSettings().setValue(SETTINGS_SERVER_KEY, URL)
    local = Workspace(resolve_paths(tmp_path / "local").ensure(), None, TaskRunner())
    try:
        dialog = SettingsDialog(local)
        qtbot.addWidget(dialog)
        assert dialog.local.isChecked()
        assert not dialog.url.isEnabled()
        assert dialog.url.text() == URL  # offered, should the user switch back
    finally:
        local.close()


def test_settings_say_when_folio_api_key_overrides_the_key_entered(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    quiet = SettingsDialog(workspace)
    qtbot.addWidget(quiet)
    assert not quiet.env_key_note.isVisibleTo(quiet)

    monkeypatch.setenv(API_KEY_ENV, "folio_env_key")
    dialog = SettingsDialog(workspace)
    qtbot.addWidget(dialog)
    assert dialog.env_key_note.isVisibleTo(dialog)
    assert API_KEY_ENV in dialog.env_key_note.text()
    assert "folio_env_key" not in dialog.env_key_note.text()


def _connect_failure(tmp_path: Path, qtbot: Any) -> str:
    remote = Workspace(resolve_paths(tmp_path / "remote").ensure(), URL, TaskRunner())
    try:
        with qtbot.waitSignal(remote.connection_failed, timeout=10_000) as blocker:
            remote.connect_server()
        remote.runner.wait()
    finally:
        remote.close()
    assert remote.connection is None
    return str(blocker.args[0])


def test_without_a_key_connecting_says_where_to_give_one(
    tmp_path: Path, memory_keyring: MemoryKeyring, qtbot: Any, caplog: Any
) -> None:
    with caplog.at_level(logging.DEBUG):
        message = _connect_failure(tmp_path, qtbot)
    assert URL in message
    assert "Settings" in message
    assert API_KEY_ENV in message
    assert "went wrong" not in message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # expected: no bug


def test_without_a_keyring_connecting_names_the_remedy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        message = _connect_failure(tmp_path, qtbot)
    finally:
        keyring.set_keyring(previous)
    assert NO_KEYRING_MESSAGE in message
    assert API_KEY_ENV in message


def test_a_keyring_bug_is_logged_with_its_traceback_but_never_the_key(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, qtbot: Any, caplog: Any
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        dialog = SettingsDialog(workspace)
        qtbot.addWidget(dialog)
        dialog.remote.setChecked(True)
        dialog.url.setText(URL)
        dialog.key.setText("folio_secret_key")
        with caplog.at_level(logging.DEBUG):
            save_button(dialog).click()
            qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=5_000)
    finally:
        keyring.set_keyring(previous)
    assert "log file" in dialog.error.text()
    assert save_button(dialog).isEnabled()  # the user may try again
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    traceback = logging.Formatter().formatException(errors[0].exc_info)
    assert "in set_password" in traceback and "backend bug" in traceback
    assert "folio_secret_key" not in caplog.text
