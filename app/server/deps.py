"""FastAPI dependencies: the database, the caller's key and scope, and write requests."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from fastapi import Depends, Request

from app.core.enums import KeyScope
from app.server.accounts import Principal, touch_key
from app.server.config import ServerConfig
from app.server.database import Database
from app.server.errors import ApiError
from app.server.request_body import parse_body
from app.server.write_context import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    WriteRequest,
    request_fingerprint,
)

AUTH_SCHEMES = ("apikey", "bearer")
log = logging.getLogger(__name__)


async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _config(request: Request) -> ServerConfig:
    return request.app.state.config  # type: ignore[no-any-return]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _presented_key(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(
            401, "Missing API key: send the header 'Authorization: ApiKey <key>'", "unauthorized"
        )
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in AUTH_SCHEMES or not value.strip():
        raise ApiError(401, "Malformed Authorization header: use 'ApiKey <key>'", "unauthorized")
    return value.strip()


async def authenticate(request: Request) -> Principal:
    """The caller's key, checked on every request (revocation is effective at once).

    The lookup is one indexed read, done on the event loop: under WAL, readers never wait for
    writers, and a threadpool hop would cost more than the query. The occasional
    last_used_at write goes to the executor.
    """
    db: Database = request.app.state.db
    check = request.app.state.key_checker.check(_presented_key(request))
    if check.touch_due and check.principal is not None:
        loop = asyncio.get_running_loop()
        task = loop.run_in_executor(None, touch_key, db, check.principal.key_id)
        task.add_done_callback(_log_touch_failure)
    if check.revoked:
        raise ApiError(401, "This API key has been revoked", "key_revoked")
    if check.principal is None:
        raise ApiError(401, "Invalid API key", "unauthorized")
    return check.principal


def _log_touch_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not record key use: %s", task.exception())


def _require(needed: KeyScope):  # type: ignore[no-untyped-def]
    # One flat dependency per scope: FastAPI's per-dependency cost is a large share of a
    # cached read, so no sub-dependencies here.
    async def dependency(request: Request) -> Principal:
        principal = await authenticate(request)
        if not principal.scope.allows(needed):
            raise ApiError(
                403,
                f"This API key has the {principal.scope.value!r} scope; this needs {needed.value!r}",
                "forbidden",
            )
        return principal

    return dependency


reader = _require(KeyScope.READ)
writer = _require(KeyScope.WRITE)
admin = _require(KeyScope.ADMIN)


async def _write_request(request: Request, principal: Principal) -> WriteRequest:
    raw = await request.body()
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            raise ApiError(
                400,
                f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters",
                "bad_request",
            )
    body = parse_body(raw, request.headers.get("content-type"))
    config = _config(request)
    return WriteRequest(
        db=request.app.state.db,
        principal=principal,
        body=body,
        base_url=base_url(request),
        idempotency_key=idempotency_key,
        fingerprint=request_fingerprint(request.method, request.url.path, request.url.query, raw),
        if_match=request.headers.get("if-match"),
        idempotency_ttl=timedelta(seconds=config.idempotency_ttl_seconds),
    )


async def write_request(request: Request, principal: Principal = Depends(writer)) -> WriteRequest:
    return await _write_request(request, principal)


async def admin_write_request(
    request: Request, principal: Principal = Depends(admin)
) -> WriteRequest:
    return await _write_request(request, principal)
