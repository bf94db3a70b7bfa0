"""The API client: how the desktop app talks to a Folio server (bundled or hosted) over HTTP.

``FolioApi`` has one typed method per endpoint of shared/API.md and returns plain dicts;
``ApiSession`` (transport) holds the key, timeouts, retries with backoff and idempotency keys;
``errors`` turns HTTP failures into exceptions whose messages are safe to show (never the key).
Built on requests only: no Qt, no server code, so the mirror and the UI workers can use it from
any thread.
"""

from app.client.api import FolioApi, has_change_feed
from app.client.api_base import ChangePage, Fetched
from app.client.errors import (
    ApiError,
    AuthenticationError,
    CancelledError,
    ClientError,
    MalformedResponseError,
    NotFoundApiError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    StateConflictError,
    TransportError,
    ValidationFailedError,
)
from app.client.pagination import ListPage, Resource
from app.client.transport import ApiResponse, ApiSession, RetryPolicy

__all__ = [
    "ApiError",
    "ApiResponse",
    "ApiSession",
    "AuthenticationError",
    "CancelledError",
    "ChangePage",
    "ClientError",
    "Fetched",
    "FolioApi",
    "ListPage",
    "MalformedResponseError",
    "NotFoundApiError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitedError",
    "Resource",
    "RetryPolicy",
    "ServerError",
    "StateConflictError",
    "TransportError",
    "ValidationFailedError",
    "has_change_feed",
]
