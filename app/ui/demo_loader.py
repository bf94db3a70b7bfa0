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

    def create(context: TaskContext) -> bool:
        from app.server.demo import create_demo

        # Always called: it finishes a demo an earlier run left half made, and writes
        # nothing when the demo is complete.
        summary = create_demo(
            paths.database_url,
            paths.data_dir,
            progress=lambda text, done, total: context.progress(done, total, text),
            cancel=context.cancel,
        )
        return summary.created

    def done(created: bool) -> None:
        progress.close()
        if not created:
            show_info(window, "Demo workspace", "The demo workspace is already there.")
        window.sync.sync_now()

    def failed(exc: BaseException) -> None:
        progress.close()
        show_error(window, "Demo workspace", f"The demo could not be created: {describe(exc)}")

    def advanced(done: int, total: int, text: str) -> None:
        progress.setRange(0, total)
        progress.setValue(done)
        progress.setLabelText(text)

    workspace.runner.run(
        create, name="demo", on_done=done, on_error=failed, on_progress=advanced, owner=window
    )
