"""Key checks on every request, reused while the SQLite database is unchanged.

``PRAGMA data_version`` on a connection changes whenever any other connection, in this
process or another (``folio keys revoke``), commits to the file. A remembered key check is
used only while that number stands still, so revocation still takes effect on the very next
request; expiry is re-judged on every use. Other databases look the key up every time.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Row

from app.server.accounts import KeyCheck, evaluate_key, hash_key, lookup_key
from app.server.database import Database

MAX_REMEMBERED = 10_000


class _ThreadState(threading.local):
    connection: sqlite3.Connection | None = None
    version: int | None = None
    rows: dict[str, Row[Any]]

    def __init__(self) -> None:
        self.rows = {}


class KeyChecker:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._file: Path | None = db.sqlite_file()
        self._state = _ThreadState()

    def check(self, presented: str) -> KeyCheck:
        digest = hash_key(presented)
        if self._file is None:
            return evaluate_key(lookup_key(self.db, digest), digest)
        state = self._state
        version = self._data_version(state)
        if version != state.version:
            state.rows.clear()
            state.version = version
        row = state.rows.get(digest)
        if row is None:
            row = lookup_key(self.db, digest)
            # Unknown keys are not remembered: guessing must not fill memory.
            if row is not None:
                if len(state.rows) >= MAX_REMEMBERED:
                    state.rows.clear()
                state.rows[digest] = row
        return evaluate_key(row, digest)

    def _data_version(self, state: _ThreadState) -> int:
        # Versions are per connection, so each thread keeps its own connection and rows.
        if state.connection is None:
            assert self._file is not None
            state.connection = sqlite3.connect(f"file:{self._file}?mode=ro", uri=True)
        return int(state.connection.execute("PRAGMA data_version").fetchone()[0])
