"""File > Load demo workspace: sample catalogues in this computer's server, then a sync
brings them into the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from app.ui.messages import describe
from app.ui.prompts import show_error, show_info
from app.ui.tasks import TaskContext

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def load_demo(window: MainWindow) -> None:
    workspace = window.workspace
    if not workspace.embedded:
        show_info(
            window,
            "Demo workspace",
            "The demo workspace goes into this computer's built-in server. Choose "
            "“This computer” in Settings to use it.",
        )
        return
    paths = workspace.paths
    progress = QProgressDialog("Creating sample catalogues…", "", 0, 0, window)
    progress.setWindowTitle("Demo workspace")
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.show()

    def create(_context: TaskContext) -> bool:
        from app.server.demo import create_demo, demo_exists

        if demo_exists(paths.database_url):
            return False
        create_demo(paths.database_url, paths.data_dir)
        return True

    def done(created: bool) -> None:
        progress.close()
        if not created:
            show_info(window, "Demo workspace", "The demo workspace is already there.")
        window.sync.sync_now()

    def failed(exc: BaseException) -> None:
        progress.close()
        show_error(window, "Demo workspace", f"The demo could not be created: {describe(exc)}")

    workspace.runner.run(create, name="demo", on_done=done, on_error=failed)
