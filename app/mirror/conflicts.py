"""Resolving a conflict: keep mine, keep theirs, or choose per field."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.client.transport import new_idempotency_key
from app.core.errors import NotFoundError, ValidationError
from app.mirror.entities import spec_for
from app.mirror.outbox import EntryState, Op, discard_entry, refresh_row
from app.mirror.schema import Conflict, OutboxEntry


class Choice(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"


@dataclass(frozen=True)
class ConflictView:
    """Both versions of the conflicting fields, for a side-by-side dialog."""

    id: int
    entity_type: str
    entity_id: int
    fields: list[str]
    mine: dict[str, Any]
    theirs: dict[str, Any] | None
    base: dict[str, Any]
    is_delete: bool
    created_at: str


def list_conflicts(session: Session) -> list[ConflictView]:
    rows = session.execute(
        select(Conflict, OutboxEntry.op)
        .join(OutboxEntry, OutboxEntry.id == Conflict.outbox_id)
        .order_by(Conflict.id)
    )
    return [
        ConflictView(
            id=conflict.id,
            entity_type=conflict.entity_type,
            entity_id=conflict.entity_id,
            fields=list(conflict.fields),
            mine=dict(conflict.mine),
            theirs=dict(conflict.theirs) if conflict.theirs is not None else None,
            base=dict(conflict.base),
            is_delete=op == Op.DELETE,
            created_at=conflict.created_at,
        )
        for conflict, op in rows
    ]


def resolve_conflict(
    session: Session, conflict_id: int, choices: dict[str, Choice] | Choice
) -> None:
    """Settle a conflict. ``Choice.MINE`` sends the local edit again on top of the server's
    version; ``Choice.THEIRS`` drops it; a dict chooses per field (unnamed fields: theirs).
    """
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        raise NotFoundError(f"No conflict {conflict_id}")
    entry = session.get(OutboxEntry, conflict.outbox_id)
    spec = spec_for(conflict.entity_type)
    if entry is None or spec is None:
        session.delete(conflict)
        return
    if isinstance(choices, Choice):
        per_field = dict.fromkeys(conflict.fields or list(conflict.mine), choices)
        keep_all = choices
    else:
        unknown = [name for name in choices if name not in conflict.mine]
        if unknown:
            raise ValidationError({name: ["is not part of this conflict"] for name in unknown})
        per_field = {name: Choice(value) for name, value in choices.items()}
        keep_all = None
    if entry.op == Op.DELETE:
        wanted = keep_all is Choice.MINE or Choice.MINE in per_field.values()
    else:
        # Fields outside the conflict were never disputed: they stay as the user set them.
        kept = {
            name: value
            for name, value in entry.payload.items()
            if name not in conflict.fields or per_field.get(name) is Choice.MINE
        }
        wanted = bool(kept)
        entry.payload = kept
    if not wanted:
        discard_entry(session, spec, entry)
        return
    # Based on the version the user saw in the dialog: if the server changed again since,
    # the next push meets a new conflict instead of overwriting a change nobody has seen.
    theirs = conflict.theirs or {}
    entry.base = {name: theirs.get(name) for name in entry.payload}
    entry.base_etag = conflict.server_etag
    if entry.op == Op.DELETE:
        entry.base_etag = None  # the user chose to delete whatever the server has now
    entry.state = EntryState.QUEUED.value
    entry.error = None
    # A different body needs a different key: the server may hold the old one's answer.
    entry.idempotency_key = new_idempotency_key()
    entry.attempts = 0
    session.delete(conflict)
    session.flush()
    refresh_row(session, spec, entry.entity_id)
