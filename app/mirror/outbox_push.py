"""Sending the outbox to the server, one entry at a time in the order the user made them.

Each entry is marked as attempted before it is sent, so it never changes afterwards and a
retry (same Idempotency-Key, same body) replays the server's stored answer. Outcomes:
success clears it; 412 becomes a conflict unless the server changed other fields only (then
it is re-sent on the new version); other 4xx mark it failed with the server's message;
network errors, 5xx and 429 keep it for the next sync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.client.errors import (
    ApiError,
    AuthenticationError,
    CancelledError,
    MalformedResponseError,
    NotFoundApiError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
)
from app.client.transport import ApiSession
from app.core.enums import EntityType
from app.core.resource_fields import URL_FIELDS
from app.mirror.entities import EntitySpec, row_values, spec_for
from app.mirror.outbox import (
    ACTIONS,
    EntryState,
    Op,
    rebase_followers,
    refresh_row,
    replace_local_reference,
)
from app.mirror.schema import Conflict, OutboxEntry
from app.mirror.store import MirrorStore

log = logging.getLogger(__name__)

Data = dict[str, Any]
Progress = Callable[[str, int, int], None]
MAX_REBASES = 3
# Not content: URLs carry the address the server was reached by, and a product hotspot's
# resolved products change with the catalogue, not with the hotspot.
DERIVED_FIELDS = frozenset({*URL_FIELDS, "pages", "products", "unknown_skus"})


@dataclass
class PushResult:
    pushed: int = 0
    failed: int = 0
    conflicts: int = 0
    kept: int = 0
    # (type, temporary id, server id) of offline creations the server accepted, so views
    # holding a temporary id can follow it.
    adopted: list[tuple[str, int, int]] = field(default_factory=list)


def _local_references(entry: OutboxEntry) -> list[tuple[EntityType, int]]:
    """What the entry names that was created offline (negative ids)."""
    refs: list[tuple[EntityType, int]] = []
    if entry.op != Op.CREATE and entry.entity_id < 0:
        refs.append((EntityType(entry.entity_type), entry.entity_id))
    payload = entry.payload
    collection = payload.get("collection_id")
    if isinstance(collection, int) and collection < 0:
        refs.append((EntityType.COLLECTION, collection))
    refs.extend(
        (EntityType.METATAG, i)
        for i in payload.get("metatag_ids") or []
        if isinstance(i, int) and i < 0
    )
    return refs


def _waits_for(session: Session, entry: OutboxEntry) -> str | None:
    """None when the entry can be sent now; "wait" when something it names is still to be
    created; otherwise why it never can be (its creation was refused or dropped)."""
    for kind, local_id in _local_references(entry):
        create = session.scalar(
            select(OutboxEntry).where(
                OutboxEntry.entity_type == kind.value,
                OutboxEntry.entity_id == local_id,
                OutboxEntry.op == Op.CREATE.value,
            )
        )
        if create is None or create.state != EntryState.QUEUED:
            return f"It depends on a new {kind.value} that the server did not accept"
        return "wait"
    return None


def push_outbox(
    store: MirrorStore,
    api: ApiSession,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> PushResult:
    """Push every queued entry; raises AuthenticationError, TransportError, CancelledError
    and MalformedResponseError to stop the sync (the entry stays queued)."""
    with store.read() as session:
        ids = list(
            session.scalars(
                select(OutboxEntry.id)
                .where(OutboxEntry.state == EntryState.QUEUED.value)
                .order_by(OutboxEntry.id)
            )
        )
    result = PushResult()
    blocked: set[tuple[str, int]] = set()
    for done, entry_id in enumerate(ids):
        if progress:
            progress("push", done, len(ids))
        if cancel is not None and cancel.is_set():
            raise CancelledError("Sync cancelled")
        with store.write() as session:
            entry = session.get(OutboxEntry, entry_id)
            if entry is None or entry.state != EntryState.QUEUED:
                continue
            key = (entry.entity_type, entry.entity_id)
            if key in blocked:
                continue
            waiting = _waits_for(session, entry)
            if waiting == "wait":
                blocked.add(key)
                continue
            if waiting is not None:
                entry.state = EntryState.FAILED.value
                entry.error = waiting
                spec = spec_for(entry.entity_type)
                session.flush()
                if spec is not None and spec.editable:
                    refresh_row(session, spec, entry.entity_id)
                result.failed += 1
                blocked.add(key)
                continue
            entry.attempts += 1
        spec = spec_for(entry.entity_type)
        if spec is None or not spec.editable:
            _fail(store, entry.id, f"Folio can't send changes to a {entry.entity_type}", None)
            result.failed += 1
            continue
        try:
            outcome = _push_one(store, api, spec, entry, cancel)
        except (RateLimitedError, ServerError) as exc:
            _keep(store, entry.id, str(exc))
            blocked.add(key)
            result.kept += 1
            continue
        except AuthenticationError:
            raise
        except NotFoundApiError:
            if entry.op == Op.DELETE:
                _acknowledge_delete(store, spec, entry)
                result.pushed += 1
                continue
            _fail(store, entry.id, f"This {spec.wrapper} no longer exists on the server", None)
            result.failed += 1
            continue
        except ApiError as exc:
            _fail(store, entry.id, str(exc), exc.field_errors or None)
            result.failed += 1
            continue
        except MalformedResponseError as exc:
            _keep(store, entry.id, str(exc))
            raise
        if outcome == "conflict":
            result.conflicts += 1
            blocked.add(key)
        else:
            result.pushed += 1
            if isinstance(outcome, int):
                result.adopted.append((entry.entity_type, entry.entity_id, outcome))
    if progress:
        progress("push", len(ids), len(ids))
    return result


def _push_one(
    store: MirrorStore,
    api: ApiSession,
    spec: EntitySpec,
    entry: OutboxEntry,
    cancel: threading.Event | None,
) -> str | int:
    """ "done", "conflict", or the server's id of a creation."""
    op = Op(entry.op)
    if op is Op.CREATE:
        payload = _with_uploaded_source(store, api, entry, cancel)
        response = api.request(
            "POST",
            spec.collection_path(entry),
            json_body={spec.wrapper: payload},
            idempotency_key=entry.idempotency_key,
            cancel=cancel,
        )
        data = _unwrapped(spec, response.body)
        with store.write() as session:
            _adopt_created(session, spec, entry, data, response.etag)
        return int(data["id"])
    if op in ACTIONS:
        response = api.request(
            "POST",
            f"{spec.item_path(entry)}/{op.value}",
            idempotency_key=entry.idempotency_key,
            cancel=cancel,
        )
        _acknowledge(store, spec, entry, _unwrapped(spec, response.body), response.etag)
        return "done"
    if op is Op.DELETE:
        params = {"force_delete": "true"} if entry.payload.get("force_delete") else None
        try:
            api.request(
                "DELETE",
                spec.item_path(entry),
                params=params,
                if_match=entry.base_etag,
                cancel=cancel,
            )
        except PreconditionFailedError:
            current, etag = _fetch(api, spec, entry, cancel)
            with store.read() as session:
                row: Any = session.get(spec.model, entry.entity_id)
                known = (row.server_data or row.data) if row is not None else None
            if known is None or not same_content(known, current):
                with store.write() as session:
                    _record_conflict(session, spec, entry, [], current, etag)
                return "conflict"
            # Only its representation changed (the server is reached by another address):
            # delete the version we know, still guarded against a change in between.
            api.request(
                "DELETE", spec.item_path(entry), params=params, if_match=etag, cancel=cancel
            )
        _acknowledge_delete(store, spec, entry)
        return "done"
    return _push_update(store, api, spec, entry, cancel)


def _push_update(
    store: MirrorStore,
    api: ApiSession,
    spec: EntitySpec,
    entry: OutboxEntry,
    cancel: threading.Event | None,
) -> str:
    if_match = entry.base_etag
    if if_match is None:
        # No version to send (a server without ETags in its feed): compare with what it has now.
        fetched = _rebased(store, api, spec, entry, cancel)
        if fetched is None:
            return "conflict"
        _, if_match = fetched
    for _ in range(MAX_REBASES):
        try:
            response = api.request(
                spec.update_method,
                spec.item_path(entry),
                json_body={spec.wrapper: entry.payload},
                if_match=if_match,
                idempotency_key=entry.idempotency_key,
                cancel=cancel,
            )
        except PreconditionFailedError:
            fetched = _rebased(store, api, spec, entry, cancel)
            if fetched is None:
                return "conflict"
            # Someone changed other fields: our edit still applies to their version.
            _, if_match = fetched
            continue
        _acknowledge(store, spec, entry, _unwrapped(spec, response.body), response.etag)
        return "done"
    raise ServerError(503, "The resource kept changing while Folio sent an edit; try again")


def _rebased(
    store: MirrorStore,
    api: ApiSession,
    spec: EntitySpec,
    entry: OutboxEntry,
    cancel: threading.Event | None,
) -> tuple[Data, str | None] | None:
    """The server's current version and ETag when the edit still applies to it (nobody
    changed its fields since the edit's ``base``); None after recording a conflict."""
    current, etag = _fetch(api, spec, entry, cancel)
    clash = _conflicting_fields(entry.payload, entry.base, current)
    if clash:
        with store.write() as session:
            _record_conflict(session, spec, entry, clash, current, etag)
        return None
    return current, etag


def same_content(known: Data, current: Data) -> bool:
    """Whether two versions of a resource hold the same values, derived fields aside."""

    def content(data: Data) -> Data:
        return {k: v for k, v in data.items() if k not in DERIVED_FIELDS}

    return content(known) == content(current)


def _conflicting_fields(payload: Data, base: Data, current: Data) -> list[str]:
    """Fields the server changed since ``base`` to something other than our value."""
    return [
        name
        for name, mine in payload.items()
        if _differs(current.get(name), base.get(name)) and _differs(current.get(name), mine)
    ]


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) != sorted(map(str, b))
    return bool(a != b)


def _unwrapped(spec: EntitySpec, body: Any) -> Data:
    data = spec.unwrap(body)
    if data is None or not isinstance(data.get("id"), int):
        raise MalformedResponseError(f"The server's answer has no {spec.wrapper}")
    return data


def _fetch(
    api: ApiSession, spec: EntitySpec, entry: OutboxEntry, cancel: threading.Event | None
) -> tuple[Data, str | None]:
    response = api.request("GET", spec.item_path(entry), cancel=cancel)
    return _unwrapped(spec, response.body), response.etag


def _with_uploaded_source(
    store: MirrorStore, api: ApiSession, entry: OutboxEntry, cancel: threading.Event | None
) -> Data:
    """Upload a local PDF named by ``source_path`` first, and remember its source_url
    before the create is sent, so a retried create has exactly the same body."""
    payload = dict(entry.payload)
    source_path = payload.pop("source_path", None)
    if not source_path:
        return payload
    path = Path(source_path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ApiError(400, f"Can't read {path.name}: {exc.strerror}") from None
    with handle:
        response = api.request(
            "POST",
            "/v2/uploads",
            data=handle,
            headers={"Content-Type": "application/pdf", "X-Filename": path.name},
            cancel=cancel,
        )
    upload = response.body.get("upload") if isinstance(response.body, dict) else None
    if not isinstance(upload, dict) or not isinstance(upload.get("source_url"), str):
        raise MalformedResponseError("The server's answer to the upload has no source_url")
    payload["source_url"] = upload["source_url"]
    with store.write() as session:
        stored = session.get(OutboxEntry, entry.id)
        if stored is not None:
            stored.payload = payload
    entry.payload = payload
    return payload


def _acknowledge(
    store: MirrorStore, spec: EntitySpec, entry: OutboxEntry, data: Data, etag: str | None
) -> None:
    with store.write() as session:
        row: Any = session.get(spec.model, entry.entity_id)
        old_etag = row.etag if row is not None else None
        if row is not None:
            row.server_data = data
            row.etag = etag
        session.execute(delete(OutboxEntry).where(OutboxEntry.id == entry.id))
        session.flush()
        rebase_followers(session, spec, entry.entity_id, old_etag, data, etag)
        refresh_row(session, spec, entry.entity_id)


def _acknowledge_delete(store: MirrorStore, spec: EntitySpec, entry: OutboxEntry) -> None:
    with store.write() as session:
        doomed = select(OutboxEntry.id).where(
            OutboxEntry.entity_type == entry.entity_type,
            OutboxEntry.entity_id == entry.entity_id,
        )
        session.execute(delete(Conflict).where(Conflict.outbox_id.in_(doomed)))
        session.execute(delete(OutboxEntry).where(OutboxEntry.id.in_(doomed)))
        session.execute(delete(spec.model).where(spec.model.id == entry.entity_id))  # type: ignore[attr-defined]


def _adopt_created(
    session: Session, spec: EntitySpec, entry: OutboxEntry, data: Data, etag: str | None
) -> None:
    """Swap the temporary row for the server's, and re-point everything that named it."""
    local_id, server_id = entry.entity_id, int(data["id"])
    session.execute(delete(OutboxEntry).where(OutboxEntry.id == entry.id))
    session.execute(delete(spec.model).where(spec.model.id == local_id))  # type: ignore[attr-defined]
    session.flush()
    row: Any = session.get(spec.model, server_id)
    if row is None:
        # A pull may already have brought it (the answer to an earlier attempt was lost).
        row = spec.model(**row_values(spec, server_id, data, entry.group_id))
        session.add(row)
    row.server_data = data
    row.etag = etag
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.entity_type == entry.entity_type, OutboxEntry.entity_id == local_id)
        .values(entity_id=server_id)
    )
    replace_local_reference(session, spec.type, local_id, server_id)
    rebase_followers(session, spec, server_id, None, data, etag)
    refresh_row(session, spec, server_id)


def _record_conflict(
    session: Session,
    spec: EntitySpec,
    entry: OutboxEntry,
    fields: list[str],
    current: Data,
    etag: str | None,
) -> None:
    stored = session.get(OutboxEntry, entry.id)
    if stored is None:
        return
    stored.state = EntryState.CONFLICT.value
    stored.error = (
        "Changed on the server by someone else: " + ", ".join(fields)
        if fields
        else "Changed on the server by someone else before your delete"
    )
    session.add(
        Conflict(
            outbox_id=entry.id,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            fields=fields,
            mine=dict(entry.payload),
            base=dict(entry.base),
            theirs=current,
            server_etag=etag,
            created_at=stored.created_at,
        )
    )
    row: Any = session.get(spec.model, entry.entity_id)
    if row is not None:
        row.server_data = current
        row.etag = etag
    session.flush()
    refresh_row(session, spec, entry.entity_id)


def _fail(store: MirrorStore, entry_id: int, message: str, field_errors: Data | None) -> None:
    with store.write() as session:
        entry = session.get(OutboxEntry, entry_id)
        if entry is None:
            return
        entry.state = EntryState.FAILED.value
        entry.error = message
        entry.field_errors = field_errors
        spec = spec_for(entry.entity_type)
        session.flush()
        if spec is not None and spec.editable:
            refresh_row(session, spec, entry.entity_id)


def _keep(store: MirrorStore, entry_id: int, message: str) -> None:
    with store.write() as session:
        entry = session.get(OutboxEntry, entry_id)
        if entry is not None:
            entry.error = message
