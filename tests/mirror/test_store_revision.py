"""The mirror file opens without Alembic when it is at the newest revision: that shortcut
must name the real head, or a new migration would never run."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from app.mirror.store import HEAD_REVISION, MIGRATIONS_DIR, MirrorStore


def test_head_revision_is_the_migrations_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_new_and_reopened_files_are_at_head(tmp_path: Path) -> None:
    store = MirrorStore.open(tmp_path / "m.sqlite3")
    assert store.revision() == HEAD_REVISION
    store.close()
    again = MirrorStore.open(tmp_path / "m.sqlite3")
    assert again.revision() == HEAD_REVISION
    again.close()


def _schema(path: Path) -> set[tuple[str, str, str]]:
    """Tables and indexes as SQLite stores them, quoting and spacing aside."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT type, name, sql FROM sqlite_master")
        return {
            (kind, name, " ".join((sql or "").replace('"', "").split())) for kind, name, sql in rows
        }


def test_a_new_file_has_exactly_the_schema_the_migrations_build(tmp_path: Path) -> None:
    from alembic import command

    from app.mirror.store import _alembic_config

    fresh = MirrorStore.open(tmp_path / "fresh.sqlite3")  # created from the tables, stamped
    fresh.close()
    migrated = MirrorStore(tmp_path / "migrated.sqlite3")
    command.upgrade(_alembic_config(migrated.engine), "head")
    migrated.close()
    assert _schema(tmp_path / "fresh.sqlite3") == _schema(tmp_path / "migrated.sqlite3")
