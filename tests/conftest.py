"""Shared fixtures: a real ``folio serve`` process on an ephemeral port, and fresh accounts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from app.core.enums import KeyScope
from app.server.accounts import create_key, ensure_account
from app.server.database import Database
from app.server.group_service import create_group

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    process: subprocess.Popen[str]
    db: Database

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.db.dispose()


def start_server(data_dir: Path, *extra: str) -> LiveServer:
    """Start ``folio serve --port 0`` and wait until it answers /health."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", "0", "--data-dir", str(data_dir), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    url = None
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "listening on" in line:
            url = line.rsplit(" ", 1)[-1].strip()
            break
    if url is None:
        process.kill()
        raise RuntimeError("server did not start:\n" + "".join(lines))
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.05)
    db = Database(f"sqlite:///{data_dir / 'folio-server.sqlite3'}")
    return LiveServer(url=url, data_dir=data_dir, process=process, db=db)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(
        tmp_path_factory.mktemp("server"), "--rate-limit", "1000000", "--scheduler-interval", "0.2"
    )
    yield live
    live.stop()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def factory(*extra: str) -> LiveServer:
        live = start_server(tmp_path / f"server{len(started)}", *extra)
        started.append(live)
        return live

    yield factory
    for live in started:
        live.stop()


class Api:
    """A requests session for one key, with paths relative to the server."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base
        self.key = key
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"ApiKey {key}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.base + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@dataclass
class Tenant:
    """A fresh account with an admin key and one group."""

    account_id: int
    group_id: int
    key: str
    api: Api
    server: LiveServer

    def key_with_scope(self, scope: KeyScope) -> Api:
        with self.server.db.write() as session:
            _, secret = create_key(session, self.account_id, f"{scope.value} key", scope)
        return Api(self.server.url, secret)

    def create_publication(self, title: str = "Spring 2014", **fields: Any) -> dict[str, Any]:
        body = {
            "publication": {"title": title, "source_url": "http://example.com/spring.pdf", **fields}
        }
        response = self.api.post(f"/v2/groups/{self.group_id}/publications", json=body)
        assert response.status_code == 201, response.text
        return response.json()["publication"]  # type: ignore[no-any-return]


_counter = 0


def make_tenant(live: LiveServer) -> Tenant:
    global _counter
    _counter += 1
    with live.db.write() as session:
        account = ensure_account(session, f"account-{os.getpid()}-{_counter}-{time.monotonic_ns()}")
        _, secret = create_key(session, account.id, "test admin", KeyScope.ADMIN)
        group = create_group(session, account.id, f"Group {_counter}")
        account_id = account.id
    return Tenant(account_id, group["id"], secret, Api(live.url, secret), live)


@pytest.fixture
def tenant(server: LiveServer) -> Tenant:
    return make_tenant(server)


@pytest.fixture
def other_tenant(server: LiveServer) -> Tenant:
    return make_tenant(server)


def mark_converted(live: LiveServer, publication_id: int, pages: int = 4) -> None:
    """Record converted pages through the server's storage, as the conversion pipeline
    (next issue) will."""
    from app.server.models import Group, Publication
    from app.server.publication_service import record_converted_pages

    with live.db.write() as session:
        publication = session.get(Publication, publication_id)
        assert publication is not None
        group = session.get(Group, publication.group_id)
        assert group is not None
        record_converted_pages(session, publication, group, pages)
