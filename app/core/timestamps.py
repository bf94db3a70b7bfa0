"""Timestamps as the API writes them: ISO-8601 with milliseconds and an offset, always UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_datetime(value: datetime | None) -> str | None:
    """``2015-01-28T16:05:28.309+00:00`` (the seed's shape), or None."""
    if value is None:
        return None
    utc = as_utc(value)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def format_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_datetime(text: str) -> datetime:
    """Parse ISO-8601 (``Z`` or an offset; naive means UTC). Raises ValueError."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    return as_utc(datetime.fromisoformat(cleaned))
