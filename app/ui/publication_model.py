"""The publications table over the mirror, for libraries of 100,000 and more.

A query fetches the matching ids only, in a worker, in SQL order. Rows are read a block at a
time, in a worker too, when the view first asks for one of them; until then the row shows a
placeholder. So opening, sorting, filtering and scrolling never wait on the disk.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.mirror.library import Library
from app.mirror.publication_query import PublicationQuery, PublicationRow, SortKey
from app.ui.tasks import TaskRunner
from app.ui.thumbnails import ThumbnailCache

BLOCK_SIZE = 200
CACHED_BLOCKS = 60
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort: SortKey | None


COLUMNS = (
    Column("cover", "", None),
    Column("title", "Title", SortKey.TITLE),
    Column("state", "State", SortKey.STATE),
    Column("pages", "Pages", SortKey.PAGES),
    Column("language", "Language", SortKey.LANGUAGE),
    Column("updated", "Updated", SortKey.UPDATED),
    Column("sync", "Sync", None),
    Column("id", "ID", SortKey.ID),
)
COLUMN_INDEX = {column.key: number for number, column in enumerate(COLUMNS)}

STATE_COLORS = {"online": "#2e7d32", "unlisted": "#1565c0", "offline": "#757575"}


def sync_marker(row: PublicationRow) -> tuple[str, str]:
    """The Sync column's text and tooltip."""
    if row.conflict:
        return "⚠ conflict", "Changed here and on the server: open Sync > Conflicts to choose"
    if row.sync_error:
        return "✖ refused", f"The server refused the last change: {row.sync_error}"
    if row.id < 0:
        return "● new", "Created here; sent at the next sync"
    if row.pending:
        return "● pending", "Changed here; sent at the next sync"
    return "", ""


class PublicationTableModel(QAbstractTableModel):
    """Rows are publications; ``query`` decides which and in what order."""

    loaded = Signal(int)  # the number of rows after a query finished
    load_failed = Signal(str)

    def __init__(
        self, library: Library, runner: TaskRunner, thumbnails: ThumbnailCache | None = None
    ) -> None:
        super().__init__()
        self.library = library
        self.runner = runner
        self.thumbnails = thumbnails
        self.query = PublicationQuery()
        self._ids: list[int] = []
        self._positions: dict[int, int] | None = None
        self._blocks: OrderedDict[int, dict[int, PublicationRow]] = OrderedDict()
        # Block -> the token of its newest request; an older answer is dropped on arrival.
        self._requested: dict[int, int] = {}
        self._tokens = itertools.count(1)
        self._generation = 0
        self._loading = False
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)

    # --- queries ---------------------------------------------------------------------

    def set_query(self, query: PublicationQuery) -> None:
        self.query = query
        self.reload()

    def update_query(self, **changes: Any) -> None:
        self.set_query(dataclasses.replace(self.query, **changes))

    def reload(self) -> None:
        """Fetch the ids again (after a sync or an edit); rows refresh without losing the
        selection when the list of ids is the same."""
        self._generation += 1
        generation = self._generation
        query = self.query
        self._loading = True
        self.runner.run(
            lambda _context: self.library.publication_ids(query),
            name="publication ids",
            on_done=lambda ids: self._ids_loaded(generation, ids),
            on_error=lambda exc: self._ids_failed(generation, exc),
        )

    @property
    def loading(self) -> bool:
        return self._loading

    def _ids_loaded(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self._loading = False
        if ids == self._ids:
            self._invalidate_rows()
        else:
            self.beginResetModel()
            self._ids = ids
            self._positions = None
            self._blocks.clear()
            self._requested.clear()
            self.endResetModel()
        self.loaded.emit(len(ids))

    def _ids_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        from app.ui.messages import describe

        self._loading = False
        self.load_failed.emit(describe(exc))

    def _invalidate_rows(self) -> None:
        """Read every shown row again, keeping rows and selection in place."""
        self._blocks.clear()
        self._requested.clear()
        if self._ids:
            last = self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def refresh_ids(self, ids: list[int] | tuple[int, ...]) -> None:
        """Read these rows again (after an edit of them)."""
        rows = (self.row_of(pub_id) for pub_id in ids)
        blocks = {row // BLOCK_SIZE for row in rows if row is not None}
        for block in blocks:
            self._blocks.pop(block, None)
            self._requested.pop(block, None)
            self._emit_block_changed(block)

    # --- lookups ---------------------------------------------------------------------

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_of(self, pub_id: int) -> int | None:
        if self._positions is None:
            self._positions = {value: number for number, value in enumerate(self._ids)}
        return self._positions.get(pub_id)

    def row_data(self, row: int) -> PublicationRow | None:
        """The row if its block is in memory (else None, and the block is requested)."""
        if not 0 <= row < len(self._ids):
            return None
        block = row // BLOCK_SIZE
        rows = self._blocks.get(block)
        if rows is None:
            self._request_block(block)
            return None
        self._blocks.move_to_end(block)
        return rows.get(self._ids[row])

    @property
    def cached_rows(self) -> int:
        """How many rows are in memory: the rest wait until they are scrolled to."""
        return sum(len(rows) for rows in self._blocks.values())

    # --- lazy row blocks ---------------------------------------------------------------

    def _request_block(self, block: int) -> None:
        if block in self._requested:
            return
        token = next(self._tokens)
        self._requested[block] = token
        ids = self._ids[block * BLOCK_SIZE : (block + 1) * BLOCK_SIZE]
        self.runner.run(
            lambda _context: self.library.publication_rows(ids),
            name="publication rows",
            on_done=lambda rows: self._block_loaded(token, block, rows),
            on_error=lambda _exc: self._forget_request(token, block),
        )

    def _forget_request(self, token: int, block: int) -> None:
        if self._requested.get(block) == token:
            del self._requested[block]

    def _block_loaded(self, token: int, block: int, rows: dict[int, PublicationRow]) -> None:
        if self._requested.get(block) != token:
            return  # the rows changed since it was asked for; a newer request follows
        self._blocks[block] = rows
        while len(self._blocks) > CACHED_BLOCKS:
            dropped, _rows = self._blocks.popitem(last=False)
            self._requested.pop(dropped, None)
        self._emit_block_changed(block)

    def _emit_block_changed(self, block: int) -> None:
        first = block * BLOCK_SIZE
        last = min(len(self._ids), first + BLOCK_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _thumbnail_ready(self, url: str) -> None:
        column = COLUMN_INDEX["cover"]
        for block, rows in self._blocks.items():
            for pub_id, row in rows.items():
                if row.cover_url == url:
                    number = self.row_of(pub_id)
                    if number is not None and number // BLOCK_SIZE == block:
                        index = self.index(number, column)
                        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # --- QAbstractTableModel -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {"cover": "Cover", "sync": "Changes waiting for the server"}.get(
                COLUMNS[section].key
            )
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        number = index.row()
        if role == ID_ROLE:
            return self._ids[number]
        row = self.row_data(number)
        key = COLUMNS[index.column()].key
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and key == "title" else None
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.DecorationRole and key == "cover" and self.thumbnails:
            return self.thumbnails.pixmap(row.cover_url)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and key == "sync"
            and (row.conflict or row.sync_error)
        ):
            return QColor("#c62828")
        if role == Qt.ItemDataRole.ForegroundRole and key == "title" and row.id < 0:
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("pages", "id"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: PublicationRow, key: str) -> Any:
        if key == "title":
            return row.title
        if key == "state":
            return row.state_label
        if key == "pages":
            return row.page_count or ""
        if key == "language":
            return row.language or ""
        if key == "updated":
            return (row.updated_at or "").replace("T", " ")[:16]
        if key == "sync":
            return sync_marker(row)[0]
        if key == "id":
            return row.id if row.id > 0 else ""
        return None

    @staticmethod
    def _tooltip(row: PublicationRow, key: str) -> str | None:
        if key == "sync":
            return sync_marker(row)[1] or None
        if key == "title":
            return f"{row.title}\n{row.slug or ''}".strip()
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key != self.query.sort or descending != self.query.descending:
            self.update_query(sort=key, descending=descending)
