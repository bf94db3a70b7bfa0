"""Libraries (mirror files) syncing against the real server of tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.client.transport import ApiSession, RetryPolicy
from app.mirror.library import Library
from app.mirror.sync import SyncReport, SyncStatus

FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)


def session_for(url: str, key: str) -> ApiSession:
    return ApiSession(url, key, timeout=(2.0, 10.0), retry=FAST_RETRY)


def synced(library: Library, api: ApiSession) -> SyncReport:
    """Sync and insist it went through."""
    report = library.sync(api)
    assert report.status is SyncStatus.OK, report.message
    return report


@pytest.fixture
def open_library(tmp_path: Path) -> Iterator[Callable[[str], Library]]:
    opened: list[Library] = []

    def open_one(name: str) -> Library:
        library = Library.open(tmp_path / f"{name}.sqlite3")
        opened.append(library)
        return library

    yield open_one
    for library in opened:
        library.close()
