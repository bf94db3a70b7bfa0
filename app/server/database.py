"""Engines, sessions and migrations for the server's database.

Two engines share one URL: readers begin deferred transactions, writers begin
``BEGIN IMMEDIATE`` on SQLite so that concurrent writers queue on the busy timeout
instead of failing with "database is locked" when a read lock must be upgraded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _make_engine(url: str, *, immediate: bool) -> Engine:
    if not _is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, future=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=16,
        max_overflow=16,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    begin_statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin_statement)

    return engine


class Database:
    """The server's database: ``read()`` and ``write()`` give one session per unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        if _is_sqlite(url):
            file_part = url.split("///", 1)[-1]
            if file_part and file_part != ":memory:":
                Path(file_part).parent.mkdir(parents=True, exist_ok=True)
        self.read_engine = _make_engine(url, immediate=False)
        self.write_engine = _make_engine(url, immediate=True)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        # Closing (not rolling back) ends the transaction without expiring loaded objects,
        # so callers may read them after the block.
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends cleanly, else rolls back."""
        with self._write_sessions() as session, session.begin():
            yield session

    def write_session(self) -> Session:
        """A bare write session; the caller owns commit, rollback and close."""
        return self._write_sessions()

    def sqlite_file(self) -> Path | None:
        """The database file when this is a file-backed SQLite database."""
        if not _is_sqlite(self.url):
            return None
        file_part = self.url.split("///", 1)[-1]
        return Path(file_part) if file_part and file_part != ":memory:" else None

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        upgrade_database(self.write_engine)

    def dispose(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["connection_engine"] = engine
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)
    log.info("database schema at %s", revision)
