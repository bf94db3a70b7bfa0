"""What can go wrong talking to a server, as exceptions whose messages are safe to show.

HTTP errors carry the server's own message and, for 422, its field errors. Nothing here
ever includes the API key or a full URL with a query string.
"""

from __future__ import annotations

from app.core.errors import FolioError


class ClientError(FolioError):
    """Base of every API client failure."""


class TransportError(ClientError):
    """The server could not be reached, or the connection broke before an answer arrived.

    Writes are safe to repeat: they carry an Idempotency-Key.
    """


class MalformedResponseError(ClientError):
    """The server answered something that is not the API's JSON."""


class CancelledError(ClientError):
    """The caller's cancel event was set."""


class ApiError(ClientError):
    """The server answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        field_errors: dict[str, list[str]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.field_errors = field_errors or {}
        self.retry_after = retry_after
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


class AuthenticationError(ApiError):
    """401: the key is missing, unknown or revoked."""


class PermissionDeniedError(ApiError):
    """403: the key lacks the scope for this request."""


class NotFoundApiError(ApiError):
    """404: no such resource for this key's account (or it was archived)."""


class StateConflictError(ApiError):
    """409: the resource's state forbids the request (in use, import running, key reused)."""


class PreconditionFailedError(ApiError):
    """412: the resource changed since the ETag the request was based on."""


class ValidationFailedError(ApiError):
    """422: ``field_errors`` says which fields, in the API's shape."""


class RateLimitedError(ApiError):
    """429 after the retries ran out; ``retry_after`` says how long to wait (seconds)."""


class ServerError(ApiError):
    """5xx after the retries ran out."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundApiError,
    409: StateConflictError,
    412: PreconditionFailedError,
    422: ValidationFailedError,
    429: RateLimitedError,
}


def error_class(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


def summarize_field_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field} {', '.join(messages)}" for field, messages in errors.items())
