"""``folio self-test``: every part of the install checked in a temporary directory, one line
each; a broken part is named and the exit code says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.run_folio import folio
from tests.conftest import REPO


def test_self_test_passes_and_leaves_the_data_dir_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = folio("self-test", data_dir=data)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:5]] == ["ok"] * 5, lines
    for part in ("PySide6", "PyMuPDF", "SQLite", "server", "keyring"):
        assert any(part in line for line in lines), (part, lines)
    assert "publication stored, read back and archived" in result.stdout
    assert lines[-1] == "self-test passed"
    # Nothing of the user's: no database, no library, only the log directory.
    assert not (data / "folio-server.sqlite3").exists()
    assert not (data / "mirrors").exists()


def test_a_broken_part_is_named_and_the_exit_code_is_1(tmp_path: Path) -> None:
    # An install missing MuPDF's library, as a bad bundle would be.
    broken = tmp_path / "broken" / "pymupdf"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('libmupdf.so.28: cannot open')\n")
    env = {
        **os.environ,
        "FOLIO_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join([str(broken.parent), str(REPO)]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "app", "self-test"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "FAIL  PyMuPDF: libmupdf.so.28: cannot open" in lines
    assert lines[0].startswith("ok    PySide6")  # the other parts are still checked
    assert lines[-1].startswith("self-test failed: PyMuPDF")
