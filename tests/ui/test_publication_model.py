"""The table model on a library of 100,000 publications: it opens in under a second,
reads only the rows in view, and loads more as the view scrolls."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QTableView

from app.mirror.library import Library
from app.mirror.publication_query import PublicationQuery, SortKey, StateFilter
from app.ui.publication_model import BLOCK_SIZE, CACHED_BLOCKS, COLUMN_INDEX, PublicationTableModel
from app.ui.tasks import TaskRunner
from tests.ui.mirror_rows import fill_library

COUNT = 100_000


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    library = Library.open(tmp_path_factory.mktemp("big") / "library.sqlite3")
    fill_library(library, COUNT)
    yield library
    library.close()


def shown_table(model: PublicationTableModel, qtbot: Any) -> QTableView:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    return view


def test_a_100k_library_opens_in_under_a_second_and_reads_only_what_is_shown(
    big_library: Library, qtbot: Any
) -> None:
    model = PublicationTableModel(big_library, TaskRunner())
    view = shown_table(model, qtbot)
    started = time.perf_counter()
    with qtbot.waitSignal(model.loaded, timeout=5_000):
        model.set_query(PublicationQuery())
    qtbot.waitUntil(lambda: model.cached_rows > 0, timeout=5_000)
    opened = time.perf_counter() - started
    assert opened < 1.0, f"took {opened:.2f} s"
    assert model.rowCount() == COUNT
    assert model.cached_rows == BLOCK_SIZE  # only the first block was read
    first = model.index(0, COLUMN_INDEX["title"]).data()
    assert first == "Catalogue 000001"

    # Scrolling to the end reads the last block, and nothing in between.
    view.scrollToBottom()
    last = COUNT - 1
    qtbot.waitUntil(lambda: model.row_data(last) is not None, timeout=5_000)
    assert model.index(last, COLUMN_INDEX["title"]).data() == f"Catalogue {COUNT:06d}"
    assert model.cached_rows <= 3 * BLOCK_SIZE


def test_rows_not_read_yet_show_a_placeholder_and_memory_stays_bounded(
    big_library: Library, qtbot: Any
) -> None:
    model = PublicationTableModel(big_library, TaskRunner())
    with qtbot.waitSignal(model.loaded, timeout=5_000):
        model.set_query(PublicationQuery())
    assert model.index(50_000, COLUMN_INDEX["title"]).data() == "…"
    qtbot.waitUntil(lambda: model.row_data(50_000) is not None, timeout=5_000)
    for block in range(0, CACHED_BLOCKS + 20):
        model.row_data(block * BLOCK_SIZE)
    qtbot.waitUntil(lambda: model.cached_rows >= (CACHED_BLOCKS - 1) * BLOCK_SIZE, timeout=10_000)
    assert model.cached_rows <= CACHED_BLOCKS * BLOCK_SIZE


def test_sorting_and_filtering_happen_in_the_library(big_library: Library, qtbot: Any) -> None:
    model = PublicationTableModel(big_library, TaskRunner())
    with qtbot.waitSignal(model.loaded, timeout=5_000):
        model.set_query(PublicationQuery(sort=SortKey.ID, descending=True))
    assert model.id_at(0) == COUNT
    with qtbot.waitSignal(model.loaded, timeout=5_000):
        model.update_query(state=StateFilter.UNLISTED, group_id=3, text="")
    qtbot.waitUntil(lambda: model.row_data(0) is not None, timeout=5_000)
    rows = [model.row_data(n) for n in range(min(model.rowCount(), BLOCK_SIZE))]
    assert model.rowCount() > 0
    assert all(r is not None and r.state_label == "unlisted" and r.group_id == 3 for r in rows)
    with qtbot.waitSignal(model.loaded, timeout=5_000):
        model.update_query(state=StateFilter.ALL, group_id=None, text="099999")
    assert model.rowCount() == 1 and model.id_at(0) == 99_999


def test_an_unreadable_library_reports_instead_of_crashing(tmp_path: Path, qtbot: Any) -> None:
    library = Library.open(tmp_path / "gone.sqlite3")
    model = PublicationTableModel(library, TaskRunner())
    library.close()
    (tmp_path / "gone.sqlite3").unlink()
    (tmp_path / "gone.sqlite3").mkdir()  # a directory where the file was: unreadable
    with qtbot.waitSignal(model.load_failed, timeout=5_000) as blocker:
        model.set_query(PublicationQuery())
    assert blocker.args[0]
    assert model.rowCount() == 0
