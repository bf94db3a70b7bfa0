"""Driving the real main window in tests: open it on a workspace, drop files, answer its
questions by clicking real buttons, wait for syncs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.mirror.sync import SyncReport
from app.ui.main_window import MainWindow
from app.ui.sync_controller import SyncController
from app.ui.workspace import Workspace


def open_window(workspace: Workspace, qtbot: Any, *, restored: bool = False) -> MainWindow:
    """The window as ``folio`` shows it, on ``workspace``; waits for the first sync.
    ``restored`` keeps the size the settings remember instead of a fixed test size."""
    sync = SyncController(workspace)
    window = MainWindow(workspace, sync)
    qtbot.addWidget(window)
    if not restored:
        window.resize(1300, 800)
    window.show()
    with qtbot.waitSignal(sync.finished, timeout=30_000):
        window.start()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)
    return window


def sync_window(window: MainWindow, qtbot: Any) -> SyncReport:
    """Sync now (or wait for the sync already running) and wait for the table to reload."""
    with qtbot.waitSignal(window.sync.finished, timeout=60_000) as blocker:
        window.sync.sync_now()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)
    return blocker.args[0]  # type: ignore[no-any-return]


def drop_files(window: QWidget, paths: list[Path]) -> None:
    """A drag of ``paths`` from a file manager, dropped onto the window's middle."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    point = window.rect().center()
    action = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(point), action, mime, buttons, keys)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted(), "the window refused the drag"
    QApplication.sendEvent(window, QDropEvent(QPointF(point), action, mime, buttons, keys))


def answer_next_question(button_text: str) -> None:
    """Click ``button_text`` in the next modal question the window asks."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(30, click)
            return
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no {button_text!r} button in {box.text()!r}")

    QTimer.singleShot(30, click)


def open_messages(window: QWidget) -> list[str]:
    """The texts of the message boxes the window shows."""
    return [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]


def row_titles(window: MainWindow) -> list[str]:
    titles = []
    for row in range(window.model.rowCount()):
        data = window.model.row_data(row)
        titles.append(data.title if data is not None else "")
    return titles


def wait_rows_loaded(window: MainWindow, qtbot: Any) -> None:
    """Until every row of the (small) table has been read."""

    def all_read() -> bool:
        return all(window.model.row_data(row) is not None for row in range(window.model.rowCount()))

    qtbot.waitUntil(all_read, timeout=10_000)


def wait_for(condition: Callable[[], bool], qtbot: Any, timeout: int = 30_000) -> None:
    qtbot.waitUntil(condition, timeout=timeout)


class Confirmations:
    """Answers blocking confirmations as a user would, by clicking one of their buttons
    (the dialogs ask with ``exec``, so the answer comes from a timer)."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.timers: list[QTimer] = []

    def answer(self, button_text: str) -> list[str]:
        """Click ``button_text`` in the next confirmation; the list receives its question."""
        seen: list[str] = []

        def look(box: QMessageBox) -> bool:
            seen.append(box.text())
            [button] = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
            self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            return True

        self._watch(look)
        return seen

    def record_all(self) -> list[str]:
        """Every confirmation that opens (each cancelled), to show that none did."""
        seen: list[str] = []

        def look(box: QMessageBox) -> bool:
            seen.append(box.text())
            box.reject()
            return False

        self._watch(look)
        return seen

    def _watch(self, handle: Callable[[QMessageBox], bool]) -> None:
        timer = QTimer()

        def look() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox) or box.objectName() != "folio-confirm":
                return
            if handle(box):
                timer.stop()

        timer.timeout.connect(look)
        timer.start(20)
        self.timers.append(timer)

    def stop(self) -> None:
        for timer in self.timers:
            timer.stop()
            timer.deleteLater()  # on the UI thread, not whenever (and wherever) GC runs
