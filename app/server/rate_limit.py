"""Per-key rate limits (seed 004): a fixed one-minute window, X-RateLimit-* on every response."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.json_response import json_bytes

WINDOW_SECONDS = 60


class RateLimiter:
    """Counts requests per client identity in fixed windows. Runs on the event loop only."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._last_prune = clock()

    def hit(self, identity: str) -> tuple[bool, int, int]:
        """Count one request. Returns (allowed, remaining, seconds until the window resets)."""
        now = self.clock()
        start, count = self._windows.get(identity, (now, 0))
        if now - start >= WINDOW_SECONDS:
            start, count = now, 0
        count += 1
        self._windows[identity] = (start, count)
        if now - self._last_prune > WINDOW_SECONDS:
            self._prune(now)
        reset = max(1, math.ceil(start + WINDOW_SECONDS - now))
        return count <= self.limit, max(0, self.limit - count), reset

    def _prune(self, now: float) -> None:
        self._last_prune = now
        stale = [k for k, (start, _) in self._windows.items() if now - start >= WINDOW_SECONDS]
        for key in stale:
            del self._windows[key]


def _identity(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            # Only a digest of the key is kept in memory.
            return "k:" + hashlib.sha256(value).hexdigest()
    client = scope.get("client") or ("?", 0)
    return f"ip:{client[0]}"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith("/v2")
            or self.limiter.limit <= 0
        ):
            await self.app(scope, receive, send)
            return
        allowed, remaining, reset = self.limiter.hit(_identity(scope))
        limit_headers = [
            (b"x-ratelimit-limit", str(self.limiter.limit).encode()),
            (b"x-ratelimit-remaining", str(remaining).encode()),
            (b"x-ratelimit-reset", str(reset).encode()),
        ]
        if not allowed:
            content = json_bytes(
                {
                    "error": f"Rate limit of {self.limiter.limit} requests a minute exceeded; "
                    f"retry after {reset} s",
                    "code": "rate_limited",
                }
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(content)).encode()),
                        (b"retry-after", str(reset).encode()),
                        *limit_headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": content})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *limit_headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
