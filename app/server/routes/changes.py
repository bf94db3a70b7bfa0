"""The change feed for sync (ext): ``GET /v2/changes?since=N&limit=M``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.server.accounts import Principal
from app.server.caching import cached_json, etag_of_body
from app.server.catalogue import resolve_products
from app.server.change_feed import read_changes
from app.server.database import Database
from app.server.deps import base_url, get_db, reader
from app.server.errors import FieldErrors
from app.server.models import Account
from app.server.presenters import absolutize

router = APIRouter(tags=["sync"])

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_SEQ = 2**62  # larger values would overflow SQLite's integers

# How GET shows one resource of each type, so an entry's ext ``etag`` is the ETag that GET
# (and so If-Match) uses: a client can edit what it synced without fetching it first.
_SINGLE_BODY = {
    "publication": lambda data: {"publication": [data]},
    "metatag": lambda data: {"metatag": [data]},
    "collection": lambda data: {"collection": [data]},
    "hotspot": lambda data: {"hotspot": data},
    "conversion": lambda data: {"conversion": data},
}


def _entry(row: Any, base: str) -> dict[str, Any]:
    data = absolutize(row.data, base) if row.data is not None else None
    return {
        "seq": row.seq,
        "type": row.entity_type,
        "id": row.entity_id,
        "group_id": row.group_id,
        "op": row.op,
        "data": data,
    }


def _finish(session: Session, changes: list[dict[str, Any]]) -> None:
    """Product hotspots name the catalogue as it is now; then each upsert gets its ETag."""
    by_group: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        if change["type"] == "hotspot" and change["data"] is not None:
            by_group[change["group_id"]].append(change["data"])
    for group_id, hotspots in by_group.items():
        resolve_products(session, group_id, hotspots)
    for change in changes:
        wrap = _SINGLE_BODY.get(change["type"])
        if change["data"] is not None and wrap is not None:
            change["etag"] = etag_of_body(wrap(change["data"]))


def _int_param(name: str, raw: str | None, default: int, minimum: int, maximum: int | None) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FieldErrors({name: ["must be an integer"]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise FieldErrors({name: [f"must be {bound}"]})
    return value


@router.get("/v2/changes")
def list_changes(
    request: Request,
    since: str | None = Query(None, description="The last seq the client has applied (0 for all)"),
    limit: str | None = Query(None, description=f"Entries per page ({DEFAULT_LIMIT} by default)"),
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    after = _int_param("since", since, 0, 0, MAX_SEQ)
    size = _int_param("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
    base = base_url(request)
    with db.read() as session:
        rows, has_more = read_changes(session, principal.account_id, after, size)
        changes = [_entry(row, base) for row in rows]
        _finish(session, changes)
        last_seq = session.scalar(
            select(Account.change_seq).where(Account.id == principal.account_id)
        )
    next_since = changes[-1]["seq"] if changes else after
    body = {
        "changes": changes,
        "next_since": next_since,
        "has_more": has_more,
        "last_seq": last_seq or 0,
    }
    return cached_json(request, body)
