"""The change feed: every committed write appends entries with the account's next seq numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.enums import ChangeOp, EntityType
from app.server.models import Account, Change


@dataclass(frozen=True)
class PendingChange:
    entity_type: EntityType
    entity_id: int
    group_id: int | None
    op: ChangeOp
    data: dict[str, Any] | None


def append_changes(session: Session, account_id: int, changes: list[PendingChange]) -> None:
    """Write ``changes`` in the caller's transaction; the seq counter update serialises writers."""
    if not changes:
        return
    # Keep only the last change per entity: one write may touch an entity twice.
    latest: dict[tuple[str, int], PendingChange] = {}
    for change in changes:
        latest.pop((change.entity_type, change.entity_id), None)
        latest[(change.entity_type, change.entity_id)] = change
    entries = list(latest.values())
    last_seq = session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(change_seq=Account.change_seq + len(entries))
        .returning(Account.change_seq)
    ).scalar_one()
    first_seq = last_seq - len(entries) + 1
    session.add_all(
        Change(
            account_id=account_id,
            seq=first_seq + offset,
            entity_type=entry.entity_type.value,
            entity_id=entry.entity_id,
            group_id=entry.group_id,
            op=entry.op.value,
            data=entry.data,
        )
        for offset, entry in enumerate(entries)
    )


def read_changes(
    session: Session, account_id: int, since: int, limit: int
) -> tuple[list[Change], bool]:
    rows = list(
        session.scalars(
            select(Change)
            .where(Change.account_id == account_id, Change.seq > since)
            .order_by(Change.seq)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit
