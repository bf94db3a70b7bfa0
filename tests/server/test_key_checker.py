"""Remembered key checks never outlive a change to the database."""

from __future__ import annotations

from pathlib import Path

from app.core.enums import KeyScope
from app.server.accounts import create_key, ensure_account, revoke_key
from app.server.caching import payload_of
from app.server.database import Database
from app.server.key_checker import KeyChecker
from app.server.read_cache import CachedRead, ReadCache


def _db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    db.migrate()
    return db


def test_revocation_by_another_connection_is_seen_on_the_next_check(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with db.write() as session:
        account = ensure_account(session, "acme")
        row, secret = create_key(session, account.id, "k", KeyScope.WRITE)
        key_id = row.id
    checker = KeyChecker(db)
    assert checker.check(secret).principal is not None
    assert checker.check(secret).principal is not None  # remembered
    other = Database(db.url)  # as `folio keys revoke` would, from its own connection
    with other.write() as session:
        assert revoke_key(session, key_id)
    check = checker.check(secret)
    assert check.principal is None and check.revoked
    other.dispose()
    db.dispose()


def test_change_seq_in_the_principal_follows_writes(tmp_path: Path) -> None:
    from app.server.group_service import create_group

    db = _db(tmp_path)
    with db.write() as session:
        account = ensure_account(session, "acme")
        _, secret = create_key(session, account.id, "k", KeyScope.ADMIN)
        account_id = account.id
    checker = KeyChecker(db)
    before = checker.check(secret).principal
    with db.write() as session:
        create_group(session, account_id, "New")
    after = checker.check(secret).principal
    assert before is not None and after is not None
    assert after.change_seq == before.change_seq + 1
    db.dispose()


def test_unknown_keys_are_refused_and_not_remembered(tmp_path: Path) -> None:
    db = _db(tmp_path)
    checker = KeyChecker(db)
    assert checker.check("folio_unknown").principal is None
    assert checker._state.rows == {}
    db.dispose()


def test_read_cache_keeps_only_the_newest_entries() -> None:
    cache = ReadCache(capacity=2)
    entry = CachedRead(payload_of({"a": 1}), None, {})
    for key in ("one", "two", "three"):
        cache.put(key, entry)
    assert cache.get("one") is None and cache.get("three") is entry
