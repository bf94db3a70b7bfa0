"""Alembic migrations build exactly the schema the models describe, and rerun safely."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.server.database import Database
from app.server.models import Base


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    db.migrate()
    with db.write_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.dispose()
    assert diff == []


def test_migrating_twice_is_harmless_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    for _ in range(2):
        db = Database(f"sqlite:///{path}")
        db.migrate()
        with db.read_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert "publications" in inspect(connection).get_table_names()
        db.dispose()
