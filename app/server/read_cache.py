"""A cache of serialised GET responses, versioned by the account's change-feed seq.

Every committed write of an account advances its seq (the sync contract needs that anyway),
so an entry keyed by the seq a request saw can never be stale: the first read after a write
misses and recomputes. Old versions simply fall out of the LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.server.accounts import Principal
from app.server.caching import Payload, conditional_response, payload_of


@dataclass(frozen=True)
class CachedRead:
    payload: Payload
    last_modified: datetime | None
    headers: dict[str, str]


class ReadCache:
    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, CachedRead] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> CachedRead | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: CachedRead) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)


Built = tuple[Any, datetime | None, dict[str, str]]


async def cached_read(
    request: Request,
    principal: Principal,
    key: tuple[Hashable, ...],
    build: Callable[[], Built],
) -> Response:
    """The response for ``key`` at the caller's seq. On a miss ``build`` (body, last modified,
    extra headers) runs in the threadpool. Raises whatever ``build`` raises (404s are not cached)."""
    cache: ReadCache = request.app.state.read_cache
    full_key = (principal.account_id, principal.change_seq, str(request.base_url), *key)
    entry = cache.get(full_key)
    if entry is None:
        body, last_modified, headers = await run_in_threadpool(build)
        entry = CachedRead(payload_of(body), last_modified, headers)
        cache.put(full_key, entry)
    return conditional_response(
        request, entry.payload, last_modified=entry.last_modified, headers=entry.headers
    )
