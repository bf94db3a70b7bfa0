"""Domain exceptions shared by every layer; each layer translates library errors into these."""

from __future__ import annotations


class FolioError(Exception):
    """Base of Folio's own errors; the message is safe to show a user."""


class NotFoundError(FolioError):
    pass


class ValidationError(FolioError):
    """Field errors in the API's shape: ``{"field": ["message", ...]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        summary = "; ".join(f"{field} {', '.join(msgs)}" for field, msgs in errors.items())
        super().__init__(summary or "invalid input")


class ConflictError(FolioError):
    pass
