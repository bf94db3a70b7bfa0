"""``folio --screenshot FILE.png``: the main window with the demo workspace, rendered
offscreen to a PNG (for the README and for checks), then exit."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.ui.waiting import wait_until

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class ScreenshotError(Exception):
    pass


def _wait(condition: object, timeout: float, what: str) -> None:
    if not wait_until(condition, timeout):  # type: ignore[arg-type]
        raise ScreenshotError(f"timed out waiting for {what}")


def take_screenshot(window: MainWindow, target: Path, timeout: float) -> int:
    """Start the embedded server, load the demo if the data dir has none, sync, show the
    first publication, and save the window. Returns the exit code."""
    import sys

    from app.server.demo import create_demo

    workspace = window.workspace
    try:
        errors: list[str] = []
        workspace.connection_failed.connect(errors.append)
        workspace.connect_server()
        _wait(lambda: workspace.connection is not None or bool(errors), timeout, "the server")
        if errors:
            raise ScreenshotError(errors[0])
        paths = workspace.paths
        create_demo(paths.database_url, paths.data_dir)
        reports: list[object] = []
        window.sync.finished.connect(reports.append)
        window.resize(1440, 860)
        window.show()
        window.start()
        _wait(lambda: bool(reports) and not window.sync.running, timeout, "the sync")
        _wait(
            lambda: not window.model.loading and window.groups.topLevelItemCount() > 0,
            timeout,
            "the table",
        )
        # Show a demo group: its filters and covers make the picture.
        if window.groups.topLevelItemCount() > 1:
            demo_item = window.groups.topLevelItem(1)
            for number in range(window.groups.topLevelItemCount()):
                item = window.groups.topLevelItem(number)
                if "Seasonal catalogues" in item.text(0):
                    demo_item = item
                    break
            window.groups.setCurrentItem(demo_item)
        _wait(lambda: not window.model.loading, timeout, "the table")
        if window.model.rowCount() > 0:
            window.select_ids([window.model.id_at(0)])
        _wait(
            lambda: window.model.cached_rows > 0 or window.model.rowCount() == 0,
            timeout,
            "the rows",
        )
        _wait(
            lambda: window.thumbnails.runner.busy == 0 and workspace.runner.busy == 0,
            timeout,
            "covers and details",
        )
        wait_until(lambda: False, 0.3)  # the last repaints
        target.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(target), "PNG"):
            raise ScreenshotError(f"could not write {target}")
    except ScreenshotError as exc:
        print(f"folio: screenshot failed: {exc}", file=sys.stderr)
        return 1
    print(target)
    return 0
