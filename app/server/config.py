"""Typed server settings, filled from the command line (``folio serve``) or by tests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_RATE_LIMIT = 1200  # requests per key per minute
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 500 * 1024 * 1024
DEFAULT_MAX_SOURCE_PAGES = 2000


def default_conversion_processes() -> int:
    # Rendering is CPU-bound: one process per core, but leave the machine usable.
    return max(1, min(4, os.cpu_count() or 1))


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
    conversion_processes: int = field(default_factory=default_conversion_processes)
    """Rendering processes; 0 switches conversions off (they stay ``new``)."""
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    """Largest upload and largest fetched source file."""
    max_source_pages: int = DEFAULT_MAX_SOURCE_PAGES
    allow_private_sources: bool = True
    """False when the server listens beyond loopback: source URLs may then not point at
    loopback or private addresses (SSRF)."""
    page_width: int = 800
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def work_dir(self) -> Path:
        """Scratch space for downloads and uploads in progress (same disk as the store)."""
        return self.data_dir / "work"
