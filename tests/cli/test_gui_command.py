"""``folio`` (the window) from the command line: ``--screenshot`` renders the window with the
demo workspace offscreen and exits; without a display it says what to do instead of aborting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.conftest import REPO


def run_folio(*args: str, data_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=180,
    )


def test_screenshot_renders_the_demo_workspace_and_exits(tmp_path: Path) -> None:
    target = tmp_path / "shots" / "window.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = run_folio("--screenshot", str(target), data_dir=tmp_path / "data", env=env)
    assert result.returncode == 0, result.stderr
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() >= 1200 and image.height() >= 700
    # Not a blank frame: a window with a table and covers has many distinct colours.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 200
    # The demo went into the data dir's server and the window's library.
    assert (tmp_path / "data" / "folio-server.sqlite3").is_file()
    assert (tmp_path / "data" / "mirrors" / "embedded.sqlite3").is_file()


def test_without_a_display_the_window_explains_instead_of_aborting(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    result = run_folio(data_dir=tmp_path / "data", env=env)
    assert result.returncode == 1
    assert "no display" in result.stderr and "--screenshot" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
