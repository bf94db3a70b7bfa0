"""API errors and the handlers that give every failure the documented JSON shape.

Validation errors: 422 ``{"errors": {"field": ["message"]}}`` (the seed's shape).
Everything else: ``{"error": "human message", "code": "machine_code"}``; never a stack trace.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.core.errors import ValidationError
from app.server.json_response import json_bytes

log = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "publishing_limit_reached",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """An error answer: status, a message safe to show, and a machine code."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or STATUS_CODES.get(status, "error")
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "code": self.code, **self.extra}


class FieldErrors(ApiError):
    """422 with per-field messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(422, "Validation failed", "validation_failed")
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


def field_error(field: str, message: str) -> FieldErrors:
    return FieldErrors({field: [message]})


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found", "not_found")


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    return Response(
        content=json_bytes(body), status_code=status, media_type="application/json", headers=headers
    )


def route_table(routers: list[APIRouter]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(path pattern, methods) of every route, for the Allow header of a 405."""
    table = []
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                table.append((route.path_regex, frozenset(route.methods)))
    return table


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for pattern, route_methods in request.app.state.route_table:
        if pattern.match(request.url.path):
            methods.update(route_methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.body(), exc.headers)

    @app.exception_handler(ValidationError)
    async def _domain_validation(_request: Request, exc: ValidationError) -> Response:
        return error_response(422, {"errors": exc.errors})

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_request: Request, exc: RequestValidationError) -> Response:
        errors: dict[str, list[str]] = {}
        for item in exc.errors():
            location = [str(part) for part in item.get("loc", ()) if part not in ("query", "body")]
            if item.get("loc", ("",))[0] == "path":
                return error_response(404, {"error": "Not found", "code": "not_found"})
            field = ".".join(location) or "request"
            errors.setdefault(field, []).append(str(item.get("msg", "is invalid")))
        return error_response(422, {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        headers = dict(exc.headers or {})
        if status == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            message = f"Method {request.method} not allowed here; allowed: {', '.join(allowed)}"
        elif status == 404:
            message = "Not found"
        else:
            message = str(exc.detail)
        return error_response(
            status, {"error": message, "code": STATUS_CODES.get(status, "error")}, headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(
            500,
            {
                "error": "Internal server error; the server log has the details",
                "code": "internal_error",
            },
        )
