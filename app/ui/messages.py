"""Turning exceptions into sentences for the window: the user learns what happened and
what to do, and never sees a key, a traceback or a URL's query string."""

from __future__ import annotations

import logging

from app.client.errors import (
    ApiError,
    AuthenticationError,
    CancelledError,
    MalformedResponseError,
    PermissionDeniedError,
    TransportError,
)
from app.core.errors import FolioError, ValidationError

log = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """One or two sentences about ``exc`` for a message box or the status bar."""
    if isinstance(exc, AuthenticationError):
        return (
            "The server refused the API key (it may have been revoked). "
            "Enter a valid key in Settings."
        )
    if isinstance(exc, PermissionDeniedError):
        return f"The API key may not do this: {exc}"
    if isinstance(exc, TransportError):
        return f"The server can't be reached right now; your changes are kept. ({exc})"
    if isinstance(exc, CancelledError):
        return "Cancelled."
    if isinstance(exc, MalformedResponseError | ApiError | ValidationError | FolioError):
        return str(exc)
    if isinstance(exc, OSError):
        # The path is the user's own file; strerror says why in words.
        name = f" ({exc.filename})" if exc.filename else ""
        return f"The file could not be read{name}: {exc.strerror or exc}"
    if exc.__traceback__ is not None:
        # Raised on the UI thread. A worker's failure was logged with its traceback by the
        # task runner already (which then drops the traceback).
        log.error("unexpected error in the window", exc_info=exc)
    return f"Something went wrong ({type(exc).__name__}); the details are in the log file."


def field_errors(exc: BaseException) -> dict[str, list[str]]:
    """Per-field messages of a validation error (local or the server's 422), else empty."""
    if isinstance(exc, ValidationError):
        return dict(exc.errors)
    if isinstance(exc, ApiError):
        return dict(exc.field_errors)
    return {}
