"""Typed server settings, filled from the command line (``folio serve``) or by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_RATE_LIMIT = 1200  # requests per key per minute
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    database_url: str
    data_dir: Path
    rate_limit: int = DEFAULT_RATE_LIMIT
    """Requests per key per minute; 0 switches rate limiting off."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    scheduler_interval: float = 5.0
    """Seconds between scheduler passes; 0 switches the scheduler off."""
    idempotency_ttl_seconds: int = 24 * 3600
    extra: dict[str, str] = field(default_factory=dict)
