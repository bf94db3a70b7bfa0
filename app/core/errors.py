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


class InvalidPdfError(FolioError):
    """A file that can't be used as a PDF. ``reason`` is a machine code, the message says why
    in words a user understands: not_pdf, damaged, encrypted, no_pages, too_large."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)

    def __reduce__(self) -> tuple[type[InvalidPdfError], tuple[str, str]]:
        # Raised in rendering worker processes and re-raised in the server: keep both fields.
        return (InvalidPdfError, (self.reason, str(self)))


class SourceFetchError(FolioError):
    """A source file (http(s) URL or upload) that could not be fetched; the message says why."""
