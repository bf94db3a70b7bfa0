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


class HotspotSaveError(FolioError):
    """Hotspots that could not be saved into a PDF; the message says why in a designer's
    words and names the file only by its name."""


class CsvImportError(FolioError):
    """A hotspot CSV that could not be imported. ``problems`` lists every problem found as
    ``(line_number, message)`` (line 1 is the header); the message lists the first ten."""

    LISTED = 10

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        lines = [f"Line {line}: {message}" for line, message in problems[: self.LISTED]]
        if len(problems) > self.LISTED:
            lines.append(f"… and {len(problems) - self.LISTED} more problems")
        super().__init__("\n".join(lines) or "the CSV could not be imported")

    def __reduce__(self) -> tuple[type[CsvImportError], tuple[list[tuple[int, str]]]]:
        # Keep ``problems`` when the error crosses a process boundary.
        return (CsvImportError, (self.problems,))
