"""JSON responses with ETag / Last-Modified, and conditional GETs answered with 304."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime as http_date
from email.utils import parsedate_to_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.core.timestamps import as_utc
from app.server.json_response import json_bytes

CACHE_CONTROL = "private, max-age=1"


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def etag_of_body(body: Any) -> str:
    return etag_of(json_bytes(body))


def _etag_list(header: str) -> list[str]:
    return [part.strip().removeprefix("W/") for part in header.split(",") if part.strip()]


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match / If-Match header names ``etag`` (or ``*``)."""
    if not header:
        return False
    tags = _etag_list(header)
    return "*" in tags or etag in tags


def _not_modified_since(request: Request, last_modified: datetime | None) -> bool:
    header = request.headers.get("if-modified-since")
    if not header or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    return as_utc(last_modified).replace(microsecond=0) <= as_utc(since)


@dataclass(frozen=True)
class Payload:
    """A serialised JSON body and its ETag."""

    content: bytes
    etag: str


def payload_of(body: Any) -> Payload:
    content = json_bytes(body)
    return Payload(content, etag_of(content))


def cached_json(
    request: Request,
    body: Any,
    *,
    last_modified: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """200 with the body and cache headers, or 304 when the client's copy is current."""
    return conditional_response(
        request, payload_of(body), last_modified=last_modified, headers=headers
    )


def conditional_response(
    request: Request,
    payload: Payload,
    *,
    last_modified: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    content, etag = payload.content, payload.etag
    out = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if last_modified is not None:
        out["Last-Modified"] = http_date(as_utc(last_modified), usegmt=True)
    if_none_match = request.headers.get("if-none-match")
    if etag_matches(if_none_match, etag) or (
        if_none_match is None and _not_modified_since(request, last_modified)
    ):
        return Response(status_code=304, headers=out)
    return Response(content=content, status_code=200, media_type="application/json", headers=out)
