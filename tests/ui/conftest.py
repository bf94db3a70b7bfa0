"""Window tests: real widgets (pytest-qt, offscreen) on a real library syncing with a real
``folio serve`` over HTTP (the servers of tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from app.mirror.sync import SyncReport, SyncStatus
from app.settings import resolve_paths
from app.ui.tasks import TaskRunner
from app.ui.workspace import Connection, Workspace
from tests.conftest import LiveServer, Tenant, make_tenant

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path) -> Iterator[None]:
    """QSettings (window geometry, table layout) in the test's own directory."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    yield
    QThreadPool.globalInstance().waitForDone(10_000)


def workspace_for(tmp_path: Path, live: LiveServer, tenant: Tenant, qtbot: Any) -> Workspace:
    """A workspace on ``tenant``'s account, connected (the key given, as FOLIO_API_KEY
    would), not yet synced."""
    paths = resolve_paths(tmp_path / "data").ensure()
    workspace = Workspace(paths, live.url, TaskRunner())
    workspace.use_connection(Connection(live.url, tenant.key, embedded=False))
    return workspace


def sync_and_wait(workspace: Workspace, qtbot: Any) -> SyncReport:
    """Run a sync in the workspace's pool and wait for it (as the window's Sync now does)."""
    reports: list[SyncReport] = []
    workspace.runner.run(
        lambda _context: workspace.library.sync(workspace.api().session),
        on_done=reports.append,
        on_error=lambda exc: reports.append(SyncReport(SyncStatus.ERROR, repr(exc))),
    )
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    assert reports[0].status is SyncStatus.OK, reports[0].message
    return reports[0]


@pytest.fixture
def ui_tenant(server: LiveServer) -> Tenant:
    return make_tenant(server)


@pytest.fixture
def workspace(
    tmp_path: Path, server: LiveServer, ui_tenant: Tenant, qtbot: Any
) -> Iterator[Workspace]:
    """A synced workspace on a fresh account of the shared server (conversions off)."""
    opened = workspace_for(tmp_path, server, ui_tenant, qtbot)
    sync_and_wait(opened, qtbot)
    yield opened
    opened.runner.wait()
    opened.close()


@pytest.fixture
def converting_tenant(converting_server: LiveServer) -> Tenant:
    return make_tenant(converting_server)


@pytest.fixture
def converting_workspace(
    tmp_path: Path, converting_server: LiveServer, converting_tenant: Tenant, qtbot: Any
) -> Iterator[Workspace]:
    """A synced workspace on a fresh account of the server that converts PDFs."""
    opened = workspace_for(tmp_path, converting_server, converting_tenant, qtbot)
    sync_and_wait(opened, qtbot)
    yield opened
    opened.runner.wait()
    opened.close()
