"""The whole window on a library of 100,000 publications: big selections stay instant, and
a background refresh keeps the user's selection, scroll position and unsaved edits."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import insert

from app.mirror.schema import Publication
from app.settings import resolve_paths
from app.ui.main_window import MainWindow
from app.ui.sync_controller import SyncController
from app.ui.tasks import TaskRunner
from app.ui.workspace import Workspace
from tests.ui.mirror_rows import fill_library, publication_data

COUNT = 100_000


@pytest.fixture
def big_window(tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The key comes from the environment: no keyring service is asked.
    monkeypatch.setenv("FOLIO_API_KEY", "folio_not_a_real_key")
    paths = resolve_paths(tmp_path / "data").ensure()
    # A server that isn't there: the window works from its library alone.
    workspace = Workspace(paths, "http://127.0.0.1:9", TaskRunner())
    fill_library(workspace.library, COUNT)
    window = MainWindow(workspace, SyncController(workspace))
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.model.rowCount() == COUNT, timeout=10_000)
    yield window
    window.sync.stop()
    workspace.runner.wait()
    window.thumbnails.wait()
    workspace.close()


def test_selecting_everything_and_thousands_of_rows_is_instant(big_window: MainWindow) -> None:
    started = time.perf_counter()
    big_window.table.selectAll()
    ids = big_window.selected_ids()
    assert len(ids) == COUNT
    assert time.perf_counter() - started < 1.0

    scattered = [big_window.model.id_at(row) for row in range(0, COUNT, 50)]  # 2,000 rows
    started = time.perf_counter()
    big_window.select_ids(scattered)
    assert sorted(big_window.selected_ids()) == sorted(scattered)
    assert time.perf_counter() - started < 1.0
    assert big_window.actions.by_name["online"].isEnabled()


def test_a_refresh_keeps_selection_scroll_and_unsaved_edits(
    big_window: MainWindow, qtbot: Any
) -> None:
    window = big_window
    row = 50_000
    pub_id = window.model.id_at(row)
    window.table.scrollTo(window.model.index(row, 1))
    window.select_ids([pub_id], scroll=False)
    qtbot.waitUntil(lambda: window.detail.publication_id == pub_id, timeout=5_000)
    qtbot.waitUntil(lambda: window.detail.form.title.text() != "", timeout=5_000)
    window.detail.form.title.setText("Typed but not saved")
    assert window.detail.has_unsaved_changes()
    scrolled = window.table.verticalScrollBar().value()
    assert scrolled > 0

    # A sync brought a new publication: the ids change, so the table resets.
    with window.workspace.library.store.write() as session:
        session.execute(
            insert(Publication),
            [
                {
                    "id": COUNT + 1,
                    "group_id": 1,
                    "title": "Zzz new",
                    "data": publication_data(COUNT + 1, 1),
                }
            ],
        )
    with qtbot.waitSignal(window.model.loaded, timeout=10_000):
        window.model.reload()
    qtbot.wait(100)
    assert window.model.rowCount() == COUNT + 1
    assert window.selected_ids() == [pub_id]
    assert window.table.verticalScrollBar().value() == scrolled
    assert window.detail.publication_id == pub_id
    assert window.detail.form.title.text() == "Typed but not saved"
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    window.detail.revert()  # closing the window would (rightly) ask about the edit
