"""Pulling the server's change feed: each page and the new cursor in one transaction.

Rows without local edits are written in bulk (one upsert per type and page); rows with
edits on their way keep them laid over the new server version.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from app.client.errors import CancelledError, MalformedResponseError
from app.client.transport import ApiSession
from app.core.enums import EntityType
from app.mirror.catalogue_pull import catalogue_changes, pull_catalogues
from app.mirror.entities import SPECS, EntitySpec, row_values, spec_for
from app.mirror.outbox import EntryState, refresh_row
from app.mirror.schema import Conversion, Hotspot, OutboxEntry, Spread, SyncState
from app.mirror.store import MirrorStore

Data = dict[str, Any]
Progress = Callable[[str, int, int], None]
PAGE_SIZE = 1000
CLEAN = {"pending": False, "conflict": False, "sync_error": None, "local_deleted": False}


@dataclass(frozen=True)
class FeedPage:
    changes: list[Data]
    next_since: int
    has_more: bool
    last_seq: int | None


# What an upsert must carry for the mirror to file it, per type.
_PARENTS = {
    "publication": (),
    "metatag": (),
    "collection": (),
    "conversion": ("publication_id",),
    "spread": ("publication_id",),
    "hotspot": ("spread_id",),
}


def _check_entry(change: Data) -> None:
    parents = _PARENTS.get(change.get("type", ""))
    if parents is None or change["op"] != "upsert":
        return
    data = change["data"]
    if not isinstance(change.get("group_id") or data.get("group_id"), int) or not all(
        isinstance(data.get(name), int) for name in parents
    ):
        raise MalformedResponseError(
            f"The server's change feed has a {change['type']} Folio can't file"
        )


def fetch_feed_page(
    api: ApiSession, since: int, cancel: threading.Event | None, limit: int = PAGE_SIZE
) -> FeedPage:
    response = api.request(
        "GET", "/v2/changes", params={"since": since, "limit": limit}, cancel=cancel
    )
    body = response.body
    if not isinstance(body, dict):
        raise MalformedResponseError("The server's change feed answer is not an object")
    changes, next_since = body.get("changes"), body.get("next_since")
    if not isinstance(changes, list) or not isinstance(next_since, int):
        raise MalformedResponseError("The server's change feed answer lacks changes or next_since")
    for change in changes:
        if (
            not isinstance(change, dict)
            or not isinstance(change.get("id"), int)
            or change.get("op") not in ("upsert", "delete")
            or (change["op"] == "upsert" and not isinstance(change.get("data"), dict))
        ):
            raise MalformedResponseError("The server's change feed has an entry Folio can't read")
        _check_entry(change)
    has_more = bool(body.get("has_more"))
    if has_more and next_since <= since:
        raise MalformedResponseError("The server's change feed does not move forward")
    last_seq = body.get("last_seq")
    return FeedPage(
        changes,
        next_since,
        has_more,
        last_seq if isinstance(last_seq, int) else None,
    )


def pull_changes(
    store: MirrorStore,
    api: ApiSession,
    server_id: int,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Apply feed pages until the mirror is current; returns the number of entries applied."""
    with store.read() as session:
        state = session.get(SyncState, server_id)
        cursor = state.cursor if state is not None else 0
    start, applied = cursor, 0
    catalogues: set[int] = set()
    while True:
        if cancel is not None and cancel.is_set():
            raise CancelledError("Sync cancelled")
        page = fetch_feed_page(api, cursor, cancel)
        if page.last_seq is not None and page.last_seq < cursor:
            # The server's history is shorter than ours (restored from a backup, or another
            # account): start again from nothing, keeping local edits.
            with store.write() as session:
                reset_mirror(session, server_id)
            cursor = start = 0
            continue
        with store.write() as session:
            apply_changes(session, page.changes)
            state = session.get(SyncState, server_id)
            if state is None:
                session.add(SyncState(server_id=server_id, cursor=page.next_since))
            else:
                state.cursor = page.next_since
        applied += len(page.changes)
        catalogues |= catalogue_changes(page.changes)
        cursor = page.next_since
        if progress:
            total = (page.last_seq or cursor) - start
            progress("pull", cursor - start, max(total, cursor - start))
        if not page.has_more:
            break
    _refresh_catalogues(store, api, server_id, catalogues, cancel)
    return applied


def _refresh_catalogues(
    store: MirrorStore,
    api: ApiSession,
    server_id: int,
    fresh: set[int],
    cancel: threading.Event | None,
) -> None:
    """Fetch the catalogues the feed said changed. The groups are marked stale with the
    cursor already past their entries, so a fetch cut short is retried at the next sync."""
    with store.read() as session:
        state = session.get(SyncState, server_id)
        stale = set(state.stale_catalogues or []) if state is not None else set()
    if not fresh and not stale:
        return
    stale |= fresh
    _mark_stale(store, server_id, sorted(stale))
    pull_catalogues(store, api, stale, cancel)
    _mark_stale(store, server_id, [])


def _mark_stale(store: MirrorStore, server_id: int, groups: list[int]) -> None:
    with store.write() as session:
        state = session.get(SyncState, server_id)
        if state is not None:
            state.stale_catalogues = groups


def reset_mirror(session: Session, server_id: int) -> None:
    """Forget every server row that has no local edit, and the cursor."""
    for spec in SPECS.values():
        model: Any = spec.model
        if spec.editable:
            session.execute(delete(model).where(model.pending.is_(False)))
        else:
            session.execute(delete(model))
    state = session.get(SyncState, server_id)
    if state is not None:
        state.cursor = 0


def apply_changes(session: Session, changes: list[Data]) -> None:
    """Apply feed entries (the last one per entity wins) in the caller's transaction."""
    latest: dict[tuple[str, int], Data] = {}
    for change in changes:
        key = (change.get("type", ""), change["id"])
        latest.pop(key, None)
        latest[key] = change
    by_type: dict[EntitySpec, list[Data]] = defaultdict(list)
    for (kind, _), change in latest.items():
        spec = spec_for(kind)
        if spec is not None:
            by_type[spec].append(change)
    edited = {
        (kind, entity_id)
        for kind, entity_id in session.execute(
            select(OutboxEntry.entity_type, OutboxEntry.entity_id)
        )
    }
    for spec, entries in by_type.items():
        upserts = [c for c in entries if c["op"] == "upsert"]
        deletes = [c for c in entries if c["op"] == "delete"]
        _apply_upserts(session, spec, upserts, edited)
        _apply_deletes(session, spec, deletes, edited)


def _apply_upserts(
    session: Session, spec: EntitySpec, changes: list[Data], edited: set[tuple[str, int]]
) -> None:
    plain: list[Data] = []
    for change in changes:
        values = row_values(spec, change["id"], change["data"], change.get("group_id"))
        if spec.editable:
            values.update(CLEAN, server_data=None, etag=change.get("etag"))
            if (spec.type.value, change["id"]) in edited:
                _upsert_edited(session, spec, values, change["data"])
                continue
        plain.append(values)
    if not plain:
        return
    table: Any = spec.model.__table__  # type: ignore[attr-defined]
    statement = insert(table)
    columns = {name: statement.excluded[name] for name in plain[0] if name != "id"}
    session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=columns), plain)


def _upsert_edited(session: Session, spec: EntitySpec, values: Data, server: Data) -> None:
    row: Any = session.get(spec.model, values["id"])
    if row is None:
        row = spec.model(**values)
        session.add(row)
    row.server_data = server
    row.etag = values["etag"]
    session.flush()
    refresh_row(session, spec, values["id"])


def _apply_deletes(
    session: Session, spec: EntitySpec, changes: list[Data], edited: set[tuple[str, int]]
) -> None:
    if not changes:
        return
    model: Any = spec.model
    ids = [change["id"] for change in changes]
    for entity_id in ids:
        if (spec.type.value, entity_id) in edited:
            _orphan_entries(session, spec, entity_id)
    session.execute(delete(model).where(model.id.in_(ids)))
    if spec.type is EntityType.PUBLICATION:
        spreads = select(Spread.id).where(Spread.publication_id.in_(ids))
        session.execute(
            delete(Hotspot).where(Hotspot.spread_id.in_(spreads), Hotspot.pending.is_(False))
        )
        session.execute(delete(Spread).where(Spread.publication_id.in_(ids)))
        session.execute(delete(Conversion).where(Conversion.publication_id.in_(ids)))


def _orphan_entries(session: Session, spec: EntitySpec, entity_id: int) -> None:
    """The server deleted something with local edits on their way: a local delete is
    simply done; other edits can no longer apply and say so."""
    for entry in session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.entity_type == spec.type.value, OutboxEntry.entity_id == entity_id
        )
    ):
        if entry.op == "delete":
            session.delete(entry)
        else:
            entry.state = EntryState.FAILED.value
            entry.error = f"This {spec.wrapper} was deleted on the server; the edit can't apply"
    session.flush()
