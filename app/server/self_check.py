"""The server's parts of ``folio self-test``: SQLite with every migration, and the server
itself started on a free loopback port."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.server.database import Database, alembic_config
from app.server.embedded import EmbeddedServer, embedded_config


def check_database(directory: Path) -> str:
    """Create a SQLite database in ``directory`` and run every migration on it; what worked,
    as a line. Raises on failure."""
    database = Database(f"sqlite:///{directory / 'self-test.sqlite3'}")
    try:
        database.migrate()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with database.write_engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        database.dispose()
    if current != head:
        raise RuntimeError(f"the schema stopped at revision {current}, not {head}")
    return f"SQLite {sqlite3.sqlite_version}: every migration ran (revision {head})"


def start_server(directory: Path) -> EmbeddedServer:
    """The server on a free loopback port over a new database in ``directory``, with an
    admin key (``server.url``, ``server.key``); stop it with ``stop()``."""
    config = embedded_config(directory, f"sqlite:///{directory / 'server.sqlite3'}")
    # No rendering processes: the round trip stores a publication, it doesn't convert it.
    config = replace(config, conversion_processes=0)
    return EmbeddedServer(config, key_name="self-test").start()
