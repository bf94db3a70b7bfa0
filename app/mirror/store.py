"""Opening the mirror's SQLite file: one per server, migrated on open, errors in words.

One writer at a time (writes ``BEGIN IMMEDIATE``): the UI's serial worker and a ``folio sync`` in a
terminal queue on the busy timeout instead of corrupting each other's transactions.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic_core import to_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.core.errors import FolioError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 5_000
EMBEDDED_MIRROR = "embedded"
# The newest migration. A file already there opens without loading Alembic (a fifth of a
# second of the window's start); tests check this matches the migrations' head.
HEAD_REVISION = "0002"


class MirrorError(FolioError):
    """The mirror file can't be used; the message says why and what to do."""


class MirrorLockedError(MirrorError):
    pass


class MirrorReadOnlyError(MirrorError):
    pass


def mirror_file(mirrors_dir: Path, server_url: str | None) -> Path:
    """The mirror of ``server_url`` (None: the embedded server, whose port changes)."""
    if server_url is None:
        return mirrors_dir / f"{EMBEDDED_MIRROR}.sqlite3"
    normalized = server_url.rstrip("/").lower()
    host = re.sub(r"[^a-z0-9.-]+", "-", urlsplit(normalized).netloc or "server").strip("-")
    digest = hashlib.sha256(normalized.encode()).hexdigest()[:10]
    return mirrors_dir / f"{host}-{digest}.sqlite3"


def translate_db_error(exc: BaseException, path: Path) -> MirrorError | None:
    """A MirrorError for SQLite's locked / read-only / unopenable failures, else None."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return MirrorLockedError(
            f"The local library {path.name} is in use by another Folio process; "
            "close it (or wait for its sync to finish) and try again"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return MirrorReadOnlyError(
            f"The local library {path} can't be written (read-only file or folder); "
            "check its permissions or choose another data folder"
        )
    if "disk i/o" in text or "disk is full" in text or "database or disk is full" in text:
        return MirrorError(f"The local library {path} can't be written: the disk failed or is full")
    if "malformed" in text or "not a database" in text:
        return MirrorError(
            f"The local library {path} is damaged; move it aside and sync again to rebuild it"
        )
    return None


def _to_json(value: Any) -> str:
    return to_json(value).decode()


def _make_engine(path: Path, *, immediate: bool = True) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        # pydantic-core's encoder is several times faster than json.dumps for big pulls.
        json_serializer=_to_json,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class MirrorStore:
    """The engine and sessions of one mirror file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MirrorReadOnlyError(
                f"Can't create the folder for the local library ({path.parent}): {exc.strerror}"
            ) from None
        self.engine = _make_engine(path)
        # Readers begin deferred: with WAL they never wait for a sync that is writing.
        self.read_engine = _make_engine(path, immediate=False)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @classmethod
    def open(cls, path: Path) -> MirrorStore:
        """Open (creating and migrating as needed); raises MirrorError in words."""
        store = cls(path)
        try:
            with store.guard():
                revision = store.revision()
                if revision is None and store._is_blank():
                    store._create_at_head()
                elif revision != HEAD_REVISION:
                    from alembic import command

                    command.upgrade(_alembic_config(store.engine), "head")
        except BaseException:
            store.close()
            raise
        return store

    def _is_blank(self) -> bool:
        with self.read_engine.connect() as connection:
            return connection.exec_driver_sql("SELECT 1 FROM sqlite_master").first() is None

    def _create_at_head(self) -> None:
        """A new file gets the tables as they stand after every migration, stamped with the
        head revision: the same schema (a test compares them) without loading Alembic,
        a fifth of the window's start on a fresh install."""
        from app.mirror.schema import Base

        with self.engine.begin() as connection:
            Base.metadata.create_all(connection)
            connection.exec_driver_sql(
                "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, "
                "\n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
            )
            connection.exec_driver_sql(
                "INSERT INTO alembic_version (version_num) VALUES (?)", (HEAD_REVISION,)
            )

    def revision(self) -> str | None:
        """The schema revision the file is at (None for a new file)."""
        with self.read_engine.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).first()
            if exists is None:
                return None
            row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return str(row[0]) if row else None

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn SQLite's locked / read-only errors into MirrorErrors."""
        try:
            yield
        except (OperationalError, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            translated = translate_db_error(exc, self.path)
            if translated is None:
                raise
            raise translated from None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commits when the block ends cleanly, else rolls back."""
        with self.guard(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.guard(), self._read_sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    return config
