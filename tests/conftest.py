"""Shared fixtures: a real ``folio serve`` process on an ephemeral port, and fresh accounts."""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
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

    def kill(self) -> None:
        """Kill the server and its rendering processes at once, as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.db.dispose()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Rendering processes the server left behind, if any.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
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
        # Its own process group, so a test can kill it together with its rendering processes.
        start_new_session=True,
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
    # Keep reading its console so a chatty server never blocks on a full pipe.
    threading.Thread(target=process.stdout.read, daemon=True).start()
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
    """The API server with conversions switched off: they stay ``new`` (tests of the API's
    surface; conversion tests use ``converting_server``)."""
    live = start_server(
        tmp_path_factory.mktemp("server"),
        "--rate-limit",
        "1000000",
        "--scheduler-interval",
        "0.2",
        "--conversion-processes",
        "0",
    )
    yield live
    live.stop()


@pytest.fixture(scope="session")
def converting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The API server with its conversion worker and two rendering processes."""
    live = start_server(
        tmp_path_factory.mktemp("converting"),
        "--rate-limit",
        "1000000",
        "--scheduler-interval",
        "0.2",
        "--conversion-processes",
        "2",
    )
    yield live
    live.stop()


class ServerFactory:
    """Starts servers on fresh data dirs (or again on an old one) and stops them all at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: list[LiveServer] = []

    def __call__(self, *extra: str) -> LiveServer:
        return self._start(self.root / f"server{len(self.started)}", *extra)

    def restart(self, previous: LiveServer, *extra: str) -> LiveServer:
        """A new server process on ``previous``'s data dir."""
        previous.stop()
        return self._start(previous.data_dir, *extra)

    def _start(self, data_dir: Path, *extra: str) -> LiveServer:
        live = start_server(data_dir, *extra)
        self.started.append(live)
        return live


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    factory = ServerFactory(tmp_path)
    yield factory
    for live in factory.started:
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


@pytest.fixture
def converting_tenant(converting_server: LiveServer) -> Tenant:
    return make_tenant(converting_server)


def upload(api: Api, data: bytes, filename: str = "source.pdf") -> str:
    """Upload a file over HTTP; returns its source_url."""
    response = api.post("/v2/uploads", files={"file": (filename, data, "application/pdf")})
    assert response.status_code == 201, response.text
    return response.json()["upload"]["source_url"]  # type: ignore[no-any-return]


FINAL_STATES = ("finished", "failed", "canceled")


def wait_for_conversion(
    api: Api,
    group_id: int,
    publication_id: int,
    conversion_id: int | None = None,
    timeout: float = 120,
) -> dict[str, Any]:
    """Poll until the conversion (the newest when no id is given) ends; returns it."""
    deadline = time.monotonic() + timeout
    path = f"/v2/groups/{group_id}/publications/{publication_id}/conversions"
    while True:
        conversions = api.get(path).json()["conversions"]
        current = (
            conversions[0]
            if conversion_id is None
            else next(c for c in conversions if c["id"] == conversion_id)
        )
        if current["state"] in FINAL_STATES:
            return current  # type: ignore[no-any-return]
        if time.monotonic() > deadline:
            raise AssertionError(f"conversion still {current['state']}: {current}")
        time.sleep(0.1)


class PdfSite:
    """A real HTTP server on loopback serving files that tests add, slowly if asked."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, float]] = {}
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                entry = site.files.get(self.path)
                if entry is None:
                    self.send_error(404)
                    return
                data, delay = entry
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                step = 4096 if delay else len(data)
                for start in range(0, len(data), step):
                    if delay:
                        time.sleep(delay)
                    try:
                        self.wfile.write(data[start : start + step])
                    except OSError:
                        return

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, path: str, data: bytes, delay_per_4k: float = 0.0) -> str:
        self.files[path] = (data, delay_per_4k)
        return self.url + path


@pytest.fixture(scope="session")
def pdf_site() -> Iterator[PdfSite]:
    site = PdfSite()
    yield site
    site.httpd.shutdown()
