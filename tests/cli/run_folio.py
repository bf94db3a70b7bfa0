"""Running the real ``folio`` command as a user would, for the CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def folio(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m app ARGS`` with its data in ``data_dir``; output captured as text."""
    env = {**os.environ, "FOLIO_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
