"""Local edits: applied to the mirror at once and queued in the outbox for the server.

A row's ``data`` is always its ``server_data`` with the open outbox entries laid over it in
order, so a pull that brings a newer server version never hides an edit still on its way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.client.transport import new_idempotency_key
from app.core.enums import EntityType
from app.core.errors import NotFoundError
from app.mirror.entities import SPECS, EntitySpec, row_values
from app.mirror.schema import Conflict, OutboxEntry

Data = dict[str, Any]


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ONLINE = "online"
    OFFLINE = "offline"
    UNLISTED = "unlisted"


class EntryState(StrEnum):
    QUEUED = "queued"  # sent at the next sync
    FAILED = "failed"  # the server refused it; kept with its message until the user acts
    CONFLICT = "conflict"  # someone changed the same fields first; a Conflict row says how


# What a state action does to a publication, as the server will report it.
ACTION_FIELDS: dict[Op, Data] = {
    Op.ONLINE: {"state": "online", "disable_seo": False},
    Op.UNLISTED: {"state": "online", "disable_seo": True},
    Op.OFFLINE: {"state": "offline"},
}
ACTIONS = frozenset(ACTION_FIELDS)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_entries(session: Session, spec: EntitySpec, entity_id: int) -> list[OutboxEntry]:
    return list(
        session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.entity_type == spec.type.value, OutboxEntry.entity_id == entity_id)
            .order_by(OutboxEntry.id)
        )
    )


def server_version(row: Any) -> Data | None:
    """The server's version of a row: ``server_data``, or ``data`` itself for a row with no
    local edits (stored once, to halve the work of a big pull); None for an offline creation.

    Call before queueing an edit: it keeps the server's version apart from then on.
    """
    if row.server_data is None and row.id > 0:
        row.server_data = dict(row.data)
    return row.server_data  # type: ignore[no-any-return]


def overlay(server_data: Data | None, entries: list[OutboxEntry]) -> tuple[Data, bool]:
    """The user's view of an entity and whether it is deleted locally."""
    view = dict(server_data or {})
    deleted = False
    for entry in entries:
        op = Op(entry.op)
        if op in (Op.CREATE, Op.UPDATE):
            view.update(entry.payload)
        elif op in ACTIONS:
            view.update(ACTION_FIELDS[op])
        elif op is Op.DELETE:
            deleted = True
    return view, deleted


def refresh_row(session: Session, spec: EntitySpec, entity_id: int) -> None:
    """Recompute a row's view and markers from its server version and open entries."""
    row: Any = session.get(spec.model, entity_id)
    if row is None:
        return
    entries = open_entries(session, spec, entity_id)
    server = server_version(row)
    if not entries and server is None:
        session.delete(row)  # an offline creation that was discarded
        return
    view, deleted = overlay(server, entries)
    if row.id < 0:
        view["id"] = row.id
    for name, value in row_values(spec, row.id, view, getattr(row, "group_id", None)).items():
        if name == "id" or (value is None and name in ("group_id", "spread_id")):
            continue
        setattr(row, name, value)
    row.pending = bool(entries)
    row.conflict = any(entry.state == EntryState.CONFLICT for entry in entries)
    failed = [entry.error for entry in entries if entry.state == EntryState.FAILED]
    row.sync_error = failed[-1] if failed else None
    row.local_deleted = deleted


def _row(session: Session, spec: EntitySpec, entity_id: int) -> Any:
    row: Any = session.get(spec.model, entity_id)
    if row is None or row.local_deleted:
        raise NotFoundError(f"No {spec.wrapper} {entity_id} in the local library")
    server_version(row)
    return row


def _new_entry(
    spec: EntitySpec, row: Any, op: Op, payload: Data, parent_id: int | None = None
) -> OutboxEntry:
    server = server_version(row) or {}
    return OutboxEntry(
        entity_type=spec.type.value,
        entity_id=row.id,
        group_id=getattr(row, "group_id", None),
        parent_id=parent_id if parent_id is not None else getattr(row, "spread_id", None),
        op=op.value,
        payload=payload,
        base={name: server.get(name) for name in payload},
        base_etag=row.etag,
        idempotency_key=new_idempotency_key(),
        state=EntryState.QUEUED.value,
        created_at=now_text(),
    )


def _unsent(entry: OutboxEntry | None, *ops: Op) -> bool:
    """Whether ``entry`` may still change: never sent, so no server holds its key yet."""
    return (
        entry is not None
        and entry.attempts == 0
        and entry.state == EntryState.QUEUED
        and Op(entry.op) in ops
    )


def queue_update(session: Session, spec: EntitySpec, entity_id: int, changes: Data) -> bool:
    """Apply ``changes`` locally and queue them; False when nothing actually changed."""
    row = _row(session, spec, entity_id)
    changes = {name: value for name, value in changes.items() if row.data.get(name) != value}
    if not changes:
        return False
    entries = open_entries(session, spec, entity_id)
    # A newer value for a field the server refused supersedes the refused one.
    for entry in entries:
        if entry.state == EntryState.FAILED and Op(entry.op) is Op.UPDATE:
            kept = {k: v for k, v in entry.payload.items() if k not in changes}
            if not kept:
                session.delete(entry)
            elif kept != entry.payload:
                entry.payload = kept
                entry.base = {k: v for k, v in entry.base.items() if k in kept}
    last = entries[-1] if entries else None
    if last is not None and _unsent(last, Op.CREATE):
        # A creation not sent yet takes the new values itself, except fields the API only
        # accepts on an existing resource (a publication's slug): those follow as an update.
        merged = {k: v for k, v in changes.items() if k not in spec.update_only}
        last.payload = {**last.payload, **merged}
        changes = {k: v for k, v in changes.items() if k in spec.update_only}
        last_update = None
    else:
        last_update = last if _unsent(last, Op.UPDATE) else None
    if last_update is not None:
        # Coalesce: ten quick edits of a title are one request.
        last_update.payload = {**last_update.payload, **changes}
        server = server_version(row) or {}
        last_update.base = {**{k: server.get(k) for k in changes}, **last_update.base}
    elif changes:
        session.add(_new_entry(spec, row, Op.UPDATE, changes))
    session.flush()
    refresh_row(session, spec, entity_id)
    return True


def queue_action(session: Session, spec: EntitySpec, entity_id: int, action: Op) -> None:
    """Queue online / offline / unlisted for a publication."""
    row = _row(session, spec, entity_id)
    entries = open_entries(session, spec, entity_id)
    last = entries[-1] if entries else None
    if last is not None and _unsent(last, *ACTIONS):
        last.op = action.value  # only the last state the user chose matters
    else:
        session.add(_new_entry(spec, row, action, {}))
    session.flush()
    refresh_row(session, spec, row.id)


def queue_delete(session: Session, spec: EntitySpec, entity_id: int, payload: Data) -> None:
    """Delete (archive) locally and queue it; an offline creation never sent just vanishes."""
    row = _row(session, spec, entity_id)
    entries = open_entries(session, spec, entity_id)
    if row.id < 0 and entries and _unsent(entries[0], Op.CREATE):
        session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_([e.id for e in entries])))
        session.delete(row)
        session.flush()
        replace_local_reference(session, spec.type, row.id, None)
        return
    session.add(_new_entry(spec, row, Op.DELETE, payload))
    session.flush()
    refresh_row(session, spec, row.id)


def queue_create(
    session: Session,
    spec: EntitySpec,
    group_id: int,
    payload: Data,
    parent_id: int | None = None,
) -> int:
    """Add a row with a temporary negative id and queue its creation; returns that id."""
    lowest = session.scalar(select(func.min(spec.model.id))) or 0  # type: ignore[attr-defined]
    local_id = min(lowest, 0) - 1
    view = {**payload, "id": local_id, "group_id": group_id}
    if parent_id is not None:
        view["spread_id"] = parent_id
    row: Any = spec.model(**row_values(spec, local_id, view, group_id))
    row.server_data = None
    session.add(row)
    entry = OutboxEntry(
        entity_type=spec.type.value,
        entity_id=local_id,
        group_id=group_id,
        parent_id=parent_id,
        op=Op.CREATE.value,
        payload=payload,
        base={},
        base_etag=None,
        idempotency_key=new_idempotency_key(),
        state=EntryState.QUEUED.value,
        created_at=now_text(),
    )
    session.add(entry)
    session.flush()
    refresh_row(session, spec, local_id)
    return local_id


def discard_entry(session: Session, spec: EntitySpec, entry: OutboxEntry) -> None:
    """Drop a failed or conflicting edit: the row shows the server's version again.
    Dropping a creation drops the edits that followed it and references to it."""
    entity_id = entry.entity_id
    doomed = [entry]
    if Op(entry.op) is Op.CREATE:
        doomed = open_entries(session, spec, entity_id)
    ids = [e.id for e in doomed]
    session.execute(delete(Conflict).where(Conflict.outbox_id.in_(ids)))
    session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(ids)))
    session.flush()
    if Op(entry.op) is Op.CREATE:
        replace_local_reference(session, spec.type, entity_id, None)
    refresh_row(session, spec, entity_id)


def rebase_followers(
    session: Session,
    spec: EntitySpec,
    entity_id: int,
    old_etag: str | None,
    data: Data,
    etag: str | None,
) -> None:
    """After the server acknowledged an edit, the entity's later edits (made on the version
    before it) are based on the acknowledged version: our own edit is not someone else's."""
    for entry in open_entries(session, spec, entity_id):
        if entry.state == EntryState.CONFLICT:
            continue
        if entry.base_etag is None or entry.base_etag == old_etag:
            entry.base_etag = etag
            entry.base = {name: data.get(name) for name in entry.payload}


def replace_local_reference(
    session: Session, kind: EntityType, local_id: int, server_id: int | None
) -> None:
    """Re-point publication edits that assign an offline-created collection or metatag: to
    its server id once it exists, or nowhere (None) when it never will."""
    if local_id >= 0 or kind not in (EntityType.COLLECTION, EntityType.METATAG):
        return
    touched: set[int] = set()
    for entry in session.scalars(
        select(OutboxEntry).where(OutboxEntry.entity_type == EntityType.PUBLICATION.value)
    ):
        payload = dict(entry.payload)
        if kind is EntityType.COLLECTION and payload.get("collection_id") == local_id:
            payload["collection_id"] = server_id
        ids = payload.get("metatag_ids")
        if kind is EntityType.METATAG and isinstance(ids, list) and local_id in ids:
            payload["metatag_ids"] = [
                server_id if i == local_id else i
                for i in ids
                if i != local_id or server_id is not None
            ]
        if payload != entry.payload:
            entry.payload = payload
            touched.add(entry.entity_id)
    session.flush()
    publication_spec = SPECS[EntityType.PUBLICATION]
    for publication_id in touched:
        refresh_row(session, publication_spec, publication_id)
