"""Accounts and API keys: random keys shown once, stored as SHA-256 digests, revocable.

Keys carry 256 bits of randomness, so a fast digest is enough (nothing to brute-force);
the lookup is by digest and the final comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from app.core.enums import KeyScope
from app.core.timestamps import utc_now
from app.server.database import Database
from app.server.models import Account, ApiKey

KEY_MARK = "folio_"
PREFIX_LENGTH = len(KEY_MARK) + 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account, the key and what the key may do."""

    account_id: int
    key_id: int
    scope: KeyScope
    change_seq: int = 0
    """The account's change-feed position when the key was checked (a read-cache version)."""


@dataclass(frozen=True)
class KeyCheck:
    principal: Principal | None
    revoked: bool = False
    touch_due: bool = False
    """last_used_at is older than LAST_USED_RESOLUTION: the caller should ``touch_key``."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> str:
    return KEY_MARK + secrets.token_urlsafe(32)


def ensure_account(session: Session, name: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        account = Account(name=name)
        session.add(account)
        session.flush()
    return account


def find_account(session: Session, name: str) -> Account | None:
    return session.scalar(select(Account).where(Account.name == name))


def create_key(
    session: Session,
    account_id: int,
    name: str,
    scope: KeyScope,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key row and its secret; the secret is not stored and cannot be shown again."""
    secret = generate_key()
    row = ApiKey(
        account_id=account_id,
        name=name,
        scope=scope.value,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_key(secret),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, secret


def revoke_key(session: Session, key_id: int, account_id: int | None = None) -> bool:
    """Revoke a key (of ``account_id`` when given). False when there is no such live key."""
    query = select(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
    if account_id is not None:
        query = query.where(ApiKey.account_id == account_id)
    row = session.scalar(query)
    if row is None:
        return False
    row.revoked_at = utc_now()
    return True


_KEY_LOOKUP = (
    select(
        ApiKey.id,
        ApiKey.account_id,
        ApiKey.scope,
        ApiKey.key_hash,
        ApiKey.revoked_at,
        ApiKey.expires_at,
        ApiKey.last_used_at,
        Account.change_seq,
    )
    .join(Account, Account.id == ApiKey.account_id)
    .where(ApiKey.key_hash == bindparam("digest"))
)


def lookup_key(db: Database, digest: str) -> Row[Any] | None:
    """The stored key (and its account's change seq) for a key digest, or None."""
    # Core with a prebuilt statement, not ORM: this runs on every uncached request.
    with db.read_engine.connect() as connection:
        return connection.execute(_KEY_LOOKUP, {"digest": digest}).first()


def evaluate_key(row: Row[Any] | None, digest: str) -> KeyCheck:
    """Judge a looked-up key now: unknown, revoked or expired, or who it is."""
    if row is None or not hmac.compare_digest(row.key_hash, digest):
        return KeyCheck(None)
    now = utc_now()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return KeyCheck(None, revoked=True)
    # Written at most once a minute per key, so reads do not turn into writes.
    touch_due = row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION
    return KeyCheck(
        Principal(
            account_id=row.account_id,
            key_id=row.id,
            scope=KeyScope(row.scope),
            change_seq=row.change_seq,
        ),
        touch_due=touch_due,
    )


def check_key(db: Database, presented: str) -> KeyCheck:
    """Look a presented key up; revoked and expired keys are refused (revocation is immediate)."""
    digest = hash_key(presented)
    return evaluate_key(lookup_key(db, digest), digest)


def touch_key(db: Database, key_id: int) -> None:
    """Record that a key was used now."""
    with db.write() as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utc_now()))
