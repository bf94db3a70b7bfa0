"""Sync against a server without the change feed (the hosted platform): full list pulls.

Each list is fetched whole with the ETag of the last pull, so an unchanged list costs a
304. A changed list replaces the group's rows; rows it no longer names were deleted (or
archived) on the server, unless they carry local edits still on their way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.client.errors import CancelledError
from app.client.pagination import list_items
from app.client.transport import ApiSession
from app.core.enums import EntityType
from app.mirror.entities import SPECS, EntitySpec
from app.mirror.feed_pull import apply_changes
from app.mirror.schema import Group, ListEtag
from app.mirror.store import MirrorStore

Data = dict[str, Any]
Progress = Callable[[str, int, int], None]

# (list key in the answer, path under the group, entity type)
GROUP_LISTS = (
    ("publications", "publications", EntityType.PUBLICATION),
    ("metatags", "metatags", EntityType.METATAG),
    ("collections", "collections", EntityType.COLLECTION),
)


def pull_full(
    store: MirrorStore,
    api: ApiSession,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Bring groups, publications, metatags and collections up to date; returns the number
    of lists that had changed."""
    changed = 0
    groups = _fetch_list(store, api, "/v2/groups", "groups", cancel)
    if groups is not None:
        changed += 1
        with store.write() as session:
            _replace(session, SPECS[EntityType.GROUP], None, groups[0])
            _remember_etag(session, "/v2/groups", groups[1])
    with store.read() as session:
        group_ids = list(session.scalars(select(Group.id).order_by(Group.id)))
    for done, group_id in enumerate(group_ids):
        if progress:
            progress("pull", done, len(group_ids))
        for key, suffix, kind in GROUP_LISTS:
            if cancel is not None and cancel.is_set():
                raise CancelledError("Sync cancelled")
            path = f"/v2/groups/{group_id}/{suffix}"
            fetched = _fetch_list(store, api, path, key, cancel)
            if fetched is None:
                continue
            changed += 1
            with store.write() as session:
                _replace(session, SPECS[kind], group_id, fetched[0])
                _remember_etag(session, path, fetched[1])
    if progress:
        progress("pull", len(group_ids), len(group_ids))
    return changed


def _fetch_list(
    store: MirrorStore, api: ApiSession, path: str, key: str, cancel: threading.Event | None
) -> tuple[list[Data], str | None] | None:
    """The whole list and its ETag, or None when unchanged since the last pull (304)."""
    with store.read() as session:
        known = session.get(ListEtag, path)
        etag = known.etag if known is not None else None
    response = api.request("GET", path, if_none_match=etag, cancel=cancel)
    if response.not_modified:
        return None
    return list_items(response.body, key), response.etag


def _remember_etag(session: Session, path: str, etag: str | None) -> None:
    # In the same transaction as the rows: an ETag saved without them would make every
    # later pull a 304 that never brings them.
    if etag:
        session.merge(ListEtag(path=path, etag=etag))
    else:
        session.execute(delete(ListEtag).where(ListEtag.path == path))


def _replace(session: Session, spec: EntitySpec, group_id: int | None, items: list[Data]) -> None:
    """Make the rows of ``group_id`` (all groups for None) exactly ``items``."""
    apply_changes(
        session,
        [
            {
                "type": spec.type.value,
                "id": item["id"],
                "group_id": group_id,
                "op": "upsert",
                "data": item,
            }
            for item in items
            if isinstance(item.get("id"), int)
        ],
    )
    model: Any = spec.model
    seen = {item["id"] for item in items if isinstance(item.get("id"), int)}
    known = select(model.id).where(model.id > 0)
    if group_id is not None:
        known = known.where(model.group_id == group_id)
    doomed = [i for i in session.scalars(known) if i not in seen]
    if doomed:
        apply_changes(
            session,
            [
                {"type": spec.type.value, "id": i, "group_id": group_id, "op": "delete"}
                for i in doomed
            ],
        )
