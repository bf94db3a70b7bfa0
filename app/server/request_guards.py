"""Pure ASGI middleware for what every request must pass: Accept (406) and body size (413)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.json_response import json_bytes

JSON_TYPES = ("*/*", "application/*", "application/json")


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body larger than {limit} bytes")
        self.limit = limit


def accepts_json(accept: str) -> bool:
    for media_range in accept.split(","):
        media, *params = (part.strip() for part in media_range.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0 and (media.lower() in JSON_TYPES or media.lower().endswith("+json")):
            return True
    return False


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    content = json_bytes(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only


class RequestGuards:
    """406 for an Accept that excludes JSON on the API; 413 for bodies over ``max_body_bytes``;
    a trailing slash is ignored."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, large_bodies: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.large_bodies = large_bodies or {}
        """Paths (uploads) that take bodies up to their own, larger limit."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # The seed's own examples end some paths with a slash; serve them, don't redirect.
            path = path.rstrip("/") or "/"
            scope = {**scope, "path": path, "raw_path": path.encode("latin-1")}
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        is_api = path.startswith("/v2") or path == "/health"
        accept = headers.get("accept")
        if is_api and accept and not accepts_json(accept):
            await _send_json(
                send,
                406,
                {
                    "error": "This API answers in JSON only: accept application/json",
                    "code": "not_acceptable",
                },
            )
            return
        limit = self.large_bodies.get(path, self.max_body_bytes)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(
                send,
                413,
                {
                    "error": f"Request body too large: the limit is {limit} bytes",
                    "code": "payload_too_large",
                },
            )
            return
        if scope["method"] == "HEAD":
            # HEAD is a GET without the body (RFC 9110); our routes declare GET only.
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)
