"""``folio`` / ``folio gui``: the window on the embedded server (or ``--server``), and
``--screenshot FILE.png``, which renders it offscreen with the demo workspace and exits."""

from __future__ import annotations

import ctypes.util
import logging
import os
import sys
import time
from pathlib import Path

from app.settings import Paths

log = logging.getLogger(__name__)

SERVER_URL_ENV = "FOLIO_SERVER_URL"
SETTINGS_SERVER_KEY = "server/url"
SCREENSHOT_TIMEOUT_S = 120.0
POOL_THREADS = 8
# What Qt's xcb plugin loads beyond a minimal X11 install, by Debian package.
X11_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}


def chosen_server(cli_value: str | None) -> str | None:
    """--server, else FOLIO_SERVER_URL, else the one chosen in Settings, else embedded."""
    from PySide6.QtCore import QSettings

    value = cli_value or os.environ.get(SERVER_URL_ENV) or QSettings().value(SETTINGS_SERVER_KEY)
    return str(value).rstrip("/") if value else None


def _application(argv: list[str]) -> object:
    from PySide6.QtCore import QCoreApplication, QThreadPool
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("Folio")
    QCoreApplication.setApplicationName("Folio")
    QGuiApplication.setDesktopFileName("folio")
    app = QApplication.instance() or QApplication(argv)
    from app.ui.app_icon import app_icon

    icon: QIcon = app_icon()
    QApplication.setWindowIcon(icon)
    # The default is one thread per core (2 here): a long sync must not hold up covers,
    # row blocks and the user's actions.
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(POOL_THREADS, pool.maxThreadCount()))
    return app


def display_problem() -> str | None:
    """Why the window can't open on this machine, before Qt aborts the process over it."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "no display to open the window on: run Folio in a desktop session, under "
            "`xvfb-run -a`, or use `folio --screenshot FILE.png`"
        )
    missing = [
        package
        for library, package in X11_LIBRARIES.items()
        if ctypes.util.find_library(library) is None
    ]
    if not os.environ.get("WAYLAND_DISPLAY") and missing:
        return (
            "Qt needs more X11 libraries to open a window: install them "
            f"(Debian/Ubuntu: `sudo apt-get install {' '.join(missing)}`)"
        )
    return None


def run_gui(paths: Paths, server: str | None, screenshot: str | None) -> int:
    started = time.perf_counter()
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem()
    if problem:
        print(f"folio: {problem}", file=sys.stderr)
        return 1
    app = _application(sys.argv[:1])
    override = server
    while True:
        url = None if screenshot else chosen_server(override)
        code, restart = _run_window(app, paths, url, screenshot, started)
        if not restart:
            return code
        # After Settings changed the server, the saved choice applies (not --server).
        override = None
        started = time.perf_counter()


def _run_window(
    app: object, paths: Paths, url: str | None, screenshot: str | None, started: float
) -> tuple[int, bool]:
    """One window on one server; returns the exit code and whether to open it again."""
    from PySide6.QtWidgets import QMessageBox

    from app.mirror.store import MirrorError
    from app.ui.main_window import MainWindow
    from app.ui.sync_controller import SyncController
    from app.ui.tasks import TaskRunner
    from app.ui.workspace import Workspace

    try:
        workspace = Workspace(paths, url, TaskRunner())
    except MirrorError as exc:
        # Locked by another Folio, or a read-only data dir: say so, in a window too.
        if not screenshot:
            QMessageBox.critical(None, "Folio can't open its library", str(exc))
        print(f"folio: {exc}", file=sys.stderr)
        return 1, False
    sync = SyncController(workspace)
    window = MainWindow(workspace, sync)
    try:
        if screenshot:
            return _screenshot(window, Path(screenshot)), False
        window.show()
        window.start()
        log.info("window shown %.0f ms after start", (time.perf_counter() - started) * 1000)
        code = int(app.exec())  # type: ignore[attr-defined]
        return code, window.restart_requested
    finally:
        sync.stop()
        workspace.runner.cancel_all()
        workspace.runner.wait(30_000)
        window.thumbnails.wait(5_000)
        workspace.close()


def _screenshot(window: object, target: Path) -> int:
    from app.ui.screenshot import take_screenshot

    return take_screenshot(window, target, SCREENSHOT_TIMEOUT_S)  # type: ignore[arg-type]
