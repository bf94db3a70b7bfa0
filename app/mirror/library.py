"""The local library: the one object the window and ``folio sync`` use (like Anki's
collection). Reads come from the mirror alone; edits land at once and wait in the outbox;
``sync`` talks to the server. Every other method is one short transaction, safe to call
from a worker thread while a sync runs in another (syncs themselves run one at a time per
library: a second one answers ``busy``); results are plain data, never ORM rows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.client.transport import ApiSession, new_idempotency_key
from app.core.enums import EntityType, LayoutType
from app.core.errors import NotFoundError, ValidationError
from app.core.languages import is_language_code
from app.core.slugs import is_valid_slug
from app.mirror.conflicts import Choice, ConflictView, list_conflicts, resolve_conflict
from app.mirror.entities import SPECS, EntitySpec
from app.mirror.outbox import (
    EntryState,
    Op,
    discard_entry,
    queue_action,
    queue_create,
    queue_delete,
    queue_update,
    refresh_row,
)
from app.mirror.publication_query import (
    PublicationQuery,
    PublicationRow,
    publication_counts,
    publication_ids,
    publication_rows,
    publications_using,
)
from app.mirror.schema import (
    Collection,
    Conversion,
    Group,
    Hotspot,
    Metatag,
    OutboxEntry,
    Product,
    Publication,
    Server,
    Spread,
    SyncState,
)
from app.mirror.store import MirrorStore
from app.mirror.sync import Progress, SyncReport, synchronize

Data = dict[str, Any]

PUBLICATION_WRITABLE = frozenset(
    {
        "title",
        "slug",
        "language",
        "browser_title",
        "description",
        "metatag_ids",
        "metatags_category",
        "valid_from",
        "schedule_online_at",
        "schedule_offline_at",
        "collection_id",
        "layout_type",
        "extraction_options",
    }
)


@dataclass(frozen=True)
class ChangeSet:
    """What an operation changed, so each view refreshes only what it shows."""

    entity_type: EntityType
    ids: tuple[int, ...]


@dataclass(frozen=True)
class Item:
    """A synced resource as the user sees it, with its sync markers."""

    id: int
    data: Data
    pending: bool = False
    conflict: bool = False
    sync_error: str | None = None


@dataclass(frozen=True)
class OutboxView:
    id: int
    entity_type: str
    entity_id: int
    op: str
    payload: Data
    state: str
    error: str | None
    field_errors: Data | None
    attempts: int


@dataclass(frozen=True)
class MirrorStatus:
    server_url: str | None
    last_sync_at: str | None
    last_status: str | None
    last_error: str | None
    key_status: str
    pending: int
    conflicts: int
    failed: int


def _item(row: Any) -> Item:
    return Item(
        id=row.id,
        data=dict(row.data),
        pending=bool(getattr(row, "pending", False)),
        conflict=bool(getattr(row, "conflict", False)),
        sync_error=getattr(row, "sync_error", None),
    )


def check_publication_fields(fields: Data, *, creating: bool) -> None:
    """The API's rules, checked before anything is queued (the server checks them again)."""
    errors: dict[str, list[str]] = {}
    unknown = set(fields) - PUBLICATION_WRITABLE - {"source_url", "source_path"}
    for name in sorted(unknown):
        errors[name] = ["is not a field Folio can change"]
    if ("title" in fields or creating) and not str(fields.get("title") or "").strip():
        errors["title"] = ["can't be blank"]
    slug = fields.get("slug")
    if "slug" in fields and (not isinstance(slug, str) or not is_valid_slug(slug)):
        errors["slug"] = ["may contain only a-z, 0-9, - and _"]
    language = fields.get("language")
    if language is not None and not (isinstance(language, str) and is_language_code(language)):
        errors["language"] = ["is not a supported language code"]
    layout = fields.get("layout_type")
    if layout is not None and layout not in {member.value for member in LayoutType}:
        errors["layout_type"] = ["must be single or booklet"]
    ids = fields.get("metatag_ids")
    if ids is not None and not (isinstance(ids, list) and all(isinstance(i, int) for i in ids)):
        errors["metatag_ids"] = ["must be a list of metatag ids"]
    if creating and not (fields.get("source_url") or fields.get("source_path")):
        errors["source_url"] = ["can't be blank"]
    if errors:
        raise ValidationError(errors)


class Library:
    """One server account's local library (a mirror file)."""

    def __init__(self, store: MirrorStore) -> None:
        self.store = store

    @classmethod
    def open(cls, path: Path) -> Library:
        """Open or create the library at ``path``; raises MirrorError saying why it can't."""
        return cls(MirrorStore.open(path))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- reading --------------------------------------------------------------------

    def groups(self) -> list[Item]:
        with self.store.read() as session:
            return [_item(row) for row in session.scalars(select(Group).order_by(Group.title))]

    def publications(
        self, group_id: int | None = None, *, include_deleted: bool = False
    ) -> list[Item]:
        query = select(Publication).order_by(Publication.id)
        if group_id is not None:
            query = query.where(Publication.group_id == group_id)
        if not include_deleted:
            query = query.where(Publication.local_deleted.is_(False))
        with self.store.read() as session:
            return [_item(row) for row in session.scalars(query)]

    def publication(self, publication_id: int) -> Item:
        return self._one(Publication, publication_id, "publication")

    def publication_count(self, group_id: int | None = None) -> int:
        query = (
            select(func.count())
            .select_from(Publication)
            .where(Publication.local_deleted.is_(False))
        )
        if group_id is not None:
            query = query.where(Publication.group_id == group_id)
        with self.store.read() as session:
            return int(session.scalar(query) or 0)

    def publication_ids(self, query: PublicationQuery) -> list[int]:
        """Every matching publication's id in the query's order (cheap even for 100k)."""
        with self.store.read() as session:
            return publication_ids(session, query)

    def publication_rows(self, ids: list[int]) -> dict[int, PublicationRow]:
        """The table's view of ``ids``, keyed by id; ids no longer in the library are left out."""
        with self.store.read() as session:
            return publication_rows(session, ids)

    def publication_counts(self) -> dict[int, int]:
        """Publications per group id, local creations and archives included."""
        with self.store.read() as session:
            return publication_counts(session)

    def publications_using(
        self, *, metatag_id: int | None = None, collection_id: int | None = None
    ) -> list[tuple[int, str]]:
        """(id, title) of the publications that use a metatag or sit in a collection, to
        show before deleting it."""
        with self.store.read() as session:
            return publications_using(session, metatag_id=metatag_id, collection_id=collection_id)

    def metatags(self, group_id: int) -> list[Item]:
        return self._list(Metatag, Metatag.group_id == group_id)

    def collections(self, group_id: int) -> list[Item]:
        return self._list(Collection, Collection.group_id == group_id)

    def spreads(self, publication_id: int) -> list[Item]:
        with self.store.read() as session:
            rows = session.scalars(
                select(Spread)
                .where(Spread.publication_id == publication_id)
                .order_by(Spread.position)
            )
            return [_item(row) for row in rows]

    def hotspots(self, spread_id: int) -> list[Item]:
        return self._list(Hotspot, Hotspot.spread_id == spread_id)

    def conversions(self, publication_id: int) -> list[Item]:
        with self.store.read() as session:
            rows = session.scalars(
                select(Conversion)
                .where(Conversion.publication_id == publication_id)
                .order_by(Conversion.id.desc())
            )
            return [_item(row) for row in rows]

    def products(self, group_id: int, skus: list[str] | None = None) -> list[Item]:
        """The group's catalogue as last synced (only ``skus`` when given); ``Item.id`` is 0
        and ``Item.data`` has sku, title, url, image_url, price."""
        query = select(Product).where(Product.group_id == group_id).order_by(Product.sku)
        if skus is not None:
            query = query.where(Product.sku.in_(skus))
        with self.store.read() as session:
            return [Item(id=0, data=dict(row.data)) for row in session.scalars(query)]

    def outbox(self) -> list[OutboxView]:
        with self.store.read() as session:
            return [
                OutboxView(
                    id=e.id,
                    entity_type=e.entity_type,
                    entity_id=e.entity_id,
                    op=e.op,
                    payload=dict(e.payload),
                    state=e.state,
                    error=e.error,
                    field_errors=e.field_errors,
                    attempts=e.attempts,
                )
                for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.id))
            ]

    def conflicts(self) -> list[ConflictView]:
        with self.store.read() as session:
            return list_conflicts(session)

    def status(self) -> MirrorStatus:
        with self.store.read() as session:
            server = session.scalar(select(Server).order_by(Server.id).limit(1))
            state = session.get(SyncState, server.id) if server is not None else None
            states = list(session.scalars(select(OutboxEntry.state)))
        return MirrorStatus(
            server_url=server.url if server else None,
            last_sync_at=state.last_sync_at if state else None,
            last_status=state.last_status if state else None,
            last_error=state.last_error if state else None,
            key_status=server.key_status if server else "unknown",
            pending=len(states),
            conflicts=states.count(EntryState.CONFLICT.value),
            failed=states.count(EntryState.FAILED.value),
        )

    # --- editing (local at once, sent at the next sync) ------------------------------

    def create_publication(self, group_id: int, fields: Data) -> ChangeSet:
        """Queue a new publication from ``source_url`` or a local ``source_path`` PDF."""
        check_publication_fields(fields, creating=True)
        payload = dict(fields)
        if payload.get("source_path"):
            payload["source_path"] = str(Path(payload["source_path"]).resolve())
        spec = self._spec(EntityType.PUBLICATION)
        later = {k: payload.pop(k) for k in list(payload) if k in spec.update_only}
        with self.store.write() as session:
            self._require_group(session, group_id)
            local_id = queue_create(session, spec, group_id, payload)
            if later:
                queue_update(session, spec, local_id, later)
        return ChangeSet(EntityType.PUBLICATION, (local_id,))

    def update_publication(self, publication_id: int, changes: Data) -> ChangeSet:
        check_publication_fields(changes, creating=False)
        return self._update(EntityType.PUBLICATION, publication_id, changes)

    def set_publication_state(self, publication_id: int, action: str) -> ChangeSet:
        """``online``, ``offline`` or ``unlisted``."""
        op = Op(action)
        if op not in (Op.ONLINE, Op.OFFLINE, Op.UNLISTED):
            raise ValidationError({"state": ["must be online, offline or unlisted"]})
        with self.store.write() as session:
            queue_action(session, self._spec(EntityType.PUBLICATION), publication_id, op)
        return ChangeSet(EntityType.PUBLICATION, (publication_id,))

    def archive_publication(self, publication_id: int) -> ChangeSet:
        return self._delete(EntityType.PUBLICATION, publication_id, {})

    def create_metatag(self, group_id: int, category: str, value: str) -> ChangeSet:
        blank = {
            name: ["can't be blank"]
            for name, text in (("category", category), ("value", value))
            if not text.strip()
        }
        if blank:
            raise ValidationError(blank)
        return self._create(EntityType.METATAG, group_id, {"category": category, "value": value})

    def update_metatag(self, metatag_id: int, changes: Data) -> ChangeSet:
        return self._update(EntityType.METATAG, metatag_id, changes)

    def delete_metatag(self, metatag_id: int, *, force: bool = False) -> ChangeSet:
        return self._delete(
            EntityType.METATAG, metatag_id, {"force_delete": force} if force else {}
        )

    def create_collection(self, group_id: int, title: str) -> ChangeSet:
        if not title.strip():
            raise ValidationError({"title": ["can't be blank"]})
        return self._create(EntityType.COLLECTION, group_id, {"title": title})

    def update_collection(self, collection_id: int, changes: Data) -> ChangeSet:
        return self._update(EntityType.COLLECTION, collection_id, changes)

    def delete_collection(self, collection_id: int) -> ChangeSet:
        return self._delete(EntityType.COLLECTION, collection_id, {})

    def create_hotspot(self, spread_id: int, fields: Data) -> ChangeSet:
        with self.store.read() as session:
            spread = session.get(Spread, spread_id)
            if spread is None:
                raise NotFoundError(f"No spread {spread_id} in the local library")
            group_id = spread.group_id
        return self._create(EntityType.HOTSPOT, group_id, dict(fields), parent_id=spread_id)

    def update_hotspot(self, hotspot_id: int, changes: Data) -> ChangeSet:
        if "type" in changes:
            raise ValidationError(
                {"type": ["can't be changed; delete the hotspot and create another"]}
            )
        return self._update(EntityType.HOTSPOT, hotspot_id, changes)

    def delete_hotspot(self, hotspot_id: int) -> ChangeSet:
        return self._delete(EntityType.HOTSPOT, hotspot_id, {})

    # --- the outbox and conflicts ----------------------------------------------------

    def resolve_conflict(self, conflict_id: int, choice: Choice | dict[str, Choice]) -> None:
        with self.store.write() as session:
            resolve_conflict(session, conflict_id, choice)

    def discard(self, outbox_id: int) -> None:
        """Drop a failed or conflicting edit; the row shows the server's version again."""
        with self.store.write() as session:
            entry = session.get(OutboxEntry, outbox_id)
            if entry is None:
                raise NotFoundError(f"No pending change {outbox_id}")
            discard_entry(session, self._spec(EntityType(entry.entity_type)), entry)

    def retry(self, outbox_id: int) -> None:
        """Send a failed edit again at the next sync (after the user fixed its cause)."""
        with self.store.write() as session:
            entry = session.get(OutboxEntry, outbox_id)
            if entry is None or entry.state != EntryState.FAILED:
                raise NotFoundError(f"No failed change {outbox_id}")
            entry.state = EntryState.QUEUED.value
            entry.error = None
            entry.field_errors = None
            entry.attempts = 0
            entry.idempotency_key = new_idempotency_key()
            session.flush()
            refresh_row(session, self._spec(EntityType(entry.entity_type)), entry.entity_id)

    def sync(
        self,
        api: ApiSession,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        use_change_feed: bool | None = None,
    ) -> SyncReport:
        return synchronize(
            self.store, api, progress=progress, cancel=cancel, use_change_feed=use_change_feed
        )

    # --- internals -------------------------------------------------------------------

    @staticmethod
    def _spec(kind: EntityType) -> EntitySpec:
        return SPECS[kind]

    @staticmethod
    def _require_group(session: Any, group_id: int) -> None:
        if session.get(Group, group_id) is None:
            raise NotFoundError(f"No group {group_id} in the local library; sync first")

    def _one(self, model: Any, entity_id: int, name: str) -> Item:
        with self.store.read() as session:
            row = session.get(model, entity_id)
            if row is None or getattr(row, "local_deleted", False):
                raise NotFoundError(f"No {name} {entity_id} in the local library")
            return _item(row)

    def _list(self, model: Any, condition: Any) -> list[Item]:
        with self.store.read() as session:
            rows = session.scalars(
                select(model).where(condition, model.local_deleted.is_(False)).order_by(model.id)
            )
            return [_item(row) for row in rows]

    def _create(
        self, kind: EntityType, group_id: int, payload: Data, parent_id: int | None = None
    ) -> ChangeSet:
        with self.store.write() as session:
            self._require_group(session, group_id)
            local_id = queue_create(session, self._spec(kind), group_id, payload, parent_id)
        return ChangeSet(kind, (local_id,))

    def _update(self, kind: EntityType, entity_id: int, changes: Data) -> ChangeSet:
        with self.store.write() as session:
            queue_update(session, self._spec(kind), entity_id, changes)
        return ChangeSet(kind, (entity_id,))

    def _delete(self, kind: EntityType, entity_id: int, payload: Data) -> ChangeSet:
        with self.store.write() as session:
            queue_delete(session, self._spec(kind), entity_id, payload)
        return ChangeSet(kind, (entity_id,))
