"""Walking a paginated list (``page`` / ``per_page`` with ``X-Next-Page``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.client.errors import MalformedResponseError
from app.client.transport import ApiSession

Resource = dict[str, Any]
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class ListPage:
    """One page of a list; ``items`` is empty when ``not_modified``."""

    items: list[Resource]
    page: int
    next_page: int | None
    total: int | None
    etag: str | None
    not_modified: bool = False


def list_items(body: Any, key: str) -> list[Resource]:
    """The list under ``key`` in a response body, checked to be a list of objects."""
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedResponseError(f"The server's answer has no list of {key}")
    return items


def fetch_page(
    session: ApiSession,
    path: str,
    key: str,
    page: int,
    *,
    params: Mapping[str, Any] | None = None,
    per_page: int = MAX_PER_PAGE,
    if_none_match: str | None = None,
    cancel: threading.Event | None = None,
) -> ListPage:
    """One page of ``path``; a 304 (``if_none_match`` still current) gives ``not_modified``."""
    query = {**(params or {}), "page": page, "per_page": per_page}
    response = session.request(
        "GET", path, params=query, if_none_match=if_none_match, cancel=cancel
    )
    if response.not_modified:
        return ListPage([], page, None, None, if_none_match, not_modified=True)
    return ListPage(
        items=list_items(response.body, key),
        page=page,
        next_page=response.header_int("X-Next-Page"),
        total=response.header_int("X-Total-Count"),
        etag=response.etag,
    )


def iter_pages(
    session: ApiSession,
    path: str,
    key: str,
    *,
    params: Mapping[str, Any] | None = None,
    per_page: int = MAX_PER_PAGE,
    cancel: threading.Event | None = None,
) -> Iterator[ListPage]:
    """Every page of ``path`` in order, following ``X-Next-Page`` until it is absent."""
    page: int | None = 1
    while page is not None:
        current = fetch_page(
            session, path, key, page, params=params, per_page=per_page, cancel=cancel
        )
        yield current
        # A server that keeps naming the same page would loop forever.
        page = current.next_page if current.next_page and current.next_page > page else None


def iter_items(
    session: ApiSession,
    path: str,
    key: str,
    *,
    params: Mapping[str, Any] | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Resource]:
    for page in iter_pages(session, path, key, params=params, cancel=cancel):
        yield from page.items
