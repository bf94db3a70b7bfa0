"""Sync under faults: a real server (killed, restarted, answering garbage through a FaultProxy),
a locked or read-only mirror file, a revoked key, a cancel. Whatever happens, nothing local is
lost and the next sync converges."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.mirror.feed_pull import PAGE_SIZE
from app.mirror.library import Library
from app.mirror.schema import Server, SyncState
from app.mirror.store import MirrorLockedError, mirror_file
from app.mirror.sync import SyncReport, SyncStatus
from tests.conftest import REPO, LiveServer, ServerFactory, Tenant, make_tenant
from tests.fault_proxy import REPLACED, FaultProxy
from tests.mirror.conftest import FAST_RETRY, session_for, synced

OpenLibrary = Callable[[str], Library]


def raw_response(status: str, body: bytes, *headers: str) -> bytes:
    """A whole HTTP/1.1 answer for FaultProxy.replace_responses."""
    head = [
        f"HTTP/1.1 {status}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *headers,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def error_body(message: str, code: str) -> bytes:
    return json.dumps({"error": message, "code": code}).encode()


@pytest.fixture
def proxy(tenant: Tenant) -> Iterator[FaultProxy]:
    with FaultProxy(tenant.server.url) as fault_proxy:
        yield fault_proxy


def _server_publications(tenant: Tenant) -> dict[int, dict[str, Any]]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications")
    assert response.status_code == 200, response.text
    return {p["id"]: p for p in response.json()["publications"]}


def _cursor(library: Library) -> int:
    with library.store.read() as session:
        state = session.scalar(select(SyncState))
        return state.cursor if state is not None else 0


def _create_many(tenant: Tenant, count: int) -> set[int]:
    body = {"publication": {"title": "Bulk", "source_url": "http://example.com/b.pdf"}}
    path = f"/v2/groups/{tenant.group_id}/publications"

    def create(_: int) -> int:
        response = tenant.api.post(path, json=body)
        assert response.status_code == 201, response.text
        return int(response.json()["publication"]["id"])

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(create, range(count)))


def _bulk_tenant(live: LiveServer) -> tuple[Tenant, set[int]]:
    """A tenant whose change feed needs at least two pages of PAGE_SIZE entries
    (each created publication adds three: its conversion, itself and its group)."""
    tenant = make_tenant(live)
    ids = _create_many(tenant, 400)
    feed = tenant.api.get("/v2/changes", params={"since": 0, "limit": 1}).json()
    assert feed["last_seq"] > PAGE_SIZE, "the pull must need two pages"
    return tenant, ids


def _first_feed_page(tenant: Tenant) -> tuple[set[int], int]:
    """The publication ids the first pull page brings, and the cursor after it."""
    page = tenant.api.get("/v2/changes", params={"since": 0, "limit": PAGE_SIZE}).json()
    assert page["has_more"]
    ids = {c["id"] for c in page["changes"] if c["type"] == "publication" and c["op"] == "upsert"}
    return ids, page["next_since"]


# --- the network and the server failing -------------------------------------------------


def test_create_whose_answers_are_lost_is_kept_then_lands_once_with_one_idempotency_key(
    tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    library = open_library("cut")
    api = session_for(proxy.url, tenant.key)
    synced(library, api)
    [local_id] = library.create_publication(
        tenant.group_id, {"title": "Lost answer", "source_url": "http://example.com/l.pdf"}
    ).ids
    assert local_id < 0

    proxy.drop_responses(FAST_RETRY.attempts)  # every attempt reaches the server, no answer
    report = library.sync(api)
    assert report.status is SyncStatus.OFFLINE, report.message
    [kept] = library.publications()
    assert kept.id == local_id and kept.pending
    [entry] = library.outbox()
    assert (entry.op, entry.entity_id, entry.state) == ("create", local_id, "queued")

    synced(library, api)
    on_server = _server_publications(tenant)
    assert len(on_server) == 1, "the server did the create once, however often it was sent"
    [server_id] = on_server
    [row] = library.publications()
    assert row.id == server_id and not row.pending
    assert row.data["title"] == "Lost answer"
    assert library.outbox() == []
    posts = [
        r
        for r in proxy.seen
        if r.method == "POST" and r.path == f"/v2/groups/{tenant.group_id}/publications"
    ]
    assert len(posts) == FAST_RETRY.attempts + 1
    assert len({r.header("Idempotency-Key") for r in posts}) == 1
    assert posts[0].header("Idempotency-Key")


def test_server_killed_mid_pull_keeps_the_applied_page_and_the_next_sync_completes(
    server_factory: ServerFactory, open_library: OpenLibrary
) -> None:
    live = server_factory("--rate-limit", "1000000", "--conversion-processes", "0")
    tenant, created = _bulk_tenant(live)
    first_page_ids, first_cursor = _first_feed_page(tenant)
    library = open_library("killed")

    def kill_after_first_page(phase: str, _done: int, _total: int) -> None:
        if phase == "pull" and live.process.poll() is None:
            live.kill()

    report = library.sync(session_for(live.url, tenant.key), progress=kill_after_first_page)
    assert report.status is SyncStatus.OFFLINE, report.message
    assert 0 < len(first_page_ids) < len(created)
    assert library.publication_count(tenant.group_id) == len(first_page_ids)
    assert _cursor(library) == first_cursor

    restarted = server_factory.restart(
        live, "--rate-limit", "1000000", "--conversion-processes", "0"
    )
    synced(library, session_for(restarted.url, tenant.key))
    assert library.publication_count(tenant.group_id) == len(created)
    assert {p.id for p in library.publications(tenant.group_id)} == created


MALFORMED_FEEDS = {
    "truncated json": b'{"changes": [{"seq": 1, "type": "publ',
    "wrong shape": b'{"changes": "x"}',
    "entry missing its group": (
        b'{"changes": [{"seq": 999999, "type": "publication", "id": 7, "op": "upsert",'
        b' "data": {"id": 7, "title": "x"}}], "next_since": 999999, "has_more": false}'
    ),
    # A feed that says there is more but never moves on would make a sync loop forever.
    "cursor not advancing": b'{"changes": [], "next_since": 0, "has_more": true}',
}


@pytest.mark.parametrize("body", MALFORMED_FEEDS.values(), ids=MALFORMED_FEEDS.keys())
def test_malformed_change_feed_answer_is_an_error_that_loses_nothing(
    body: bytes, tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Before")["id"]
    library = open_library("malformed")
    api = session_for(proxy.url, tenant.key)
    synced(library, api)
    library.update_publication(one, {"title": "Edited locally"})
    elsewhere = tenant.create_publication("Made elsewhere")["id"]

    def garble_the_pull(phase: str, done: int, total: int) -> None:
        # Armed once the push is done: the next request is the change feed's.
        if phase == "push" and done == total and not proxy.pending_faults:
            proxy.replace_responses(raw_response("200 OK", body))

    report = library.sync(api, progress=garble_the_pull)
    assert report.status is SyncStatus.ERROR
    message = report.message or ""
    assert "change feed" in message or "not JSON" in message, message
    assert tenant.key not in (report.message or "")
    assert tenant.key not in (library.status().last_error or "")
    [garbled] = [r for r in proxy.seen if r.outcome == REPLACED]
    assert garbled.method == "GET" and garbled.path.startswith("/v2/changes")
    # The edit went out before the pull failed; nothing local was lost.
    assert report.pushed == 1 and library.outbox() == []
    assert _server_publications(tenant)[one]["title"] == "Edited locally"
    assert library.publication(one).data["title"] == "Edited locally"

    synced(library, api)
    assert {p.id: p.data["title"] for p in library.publications()} == {
        one: "Edited locally",
        elsewhere: "Made elsewhere",
    }


BUSY_ANSWERS = {
    "503": raw_response(
        "503 Service Unavailable",
        error_body("Down for maintenance", "unavailable"),
        "Retry-After: 1",
    ),
    "429": raw_response(
        "429 Too Many Requests", error_body("Rate limit exceeded", "rate_limited"), "Retry-After: 1"
    ),
}


@pytest.mark.parametrize("answer", BUSY_ANSWERS.values(), ids=BUSY_ANSWERS.keys())
def test_busy_server_during_push_keeps_the_edit_queued_for_the_next_sync(
    answer: bytes, tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Busy")["id"]
    library = open_library("busy")
    api = session_for(proxy.url, tenant.key)
    synced(library, api)
    library.update_publication(one, {"title": "Sent later"})

    proxy.replace_responses(answer, FAST_RETRY.attempts)
    report = synced(library, api)  # the pull still works: the sync itself is fine
    assert (report.kept, report.pushed, report.pending) == (1, 0, 1)
    assert report.seconds >= 1.0, "Retry-After was honoured between the attempts"
    [entry] = library.outbox()
    assert entry.state == "queued"
    assert entry.error in ("Down for maintenance", "Rate limit exceeded")
    assert library.publication(one).data["title"] == "Sent later"
    assert _server_publications(tenant)[one]["title"] == "Busy"

    assert synced(library, api).pushed == 1
    assert library.outbox() == []
    assert _server_publications(tenant)[one]["title"] == "Sent later"
    attempts = [r for r in proxy.seen if r.method == "PUT"]
    assert len(attempts) == FAST_RETRY.attempts + 1
    assert len({r.header("Idempotency-Key") for r in attempts}) == 1


def test_server_answering_404_for_the_change_feed_is_remembered_and_pulled_in_full(
    tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Hosted")["id"]
    library = open_library("hosted")
    api = session_for(proxy.url, tenant.key)
    proxy.replace_responses(raw_response("404 Not Found", error_body("Not found", "not_found")))

    report = synced(library, api)
    assert report.full_pull
    [probe] = proxy.seen[:1]
    assert probe.outcome == REPLACED and probe.path.startswith("/v2/changes")
    with library.store.read() as session:
        assert session.scalar(select(Server.has_change_feed)) is False
    assert [p.id for p in library.publications()] == [one]

    proxy.clear_seen()
    assert synced(library, api).full_pull
    assert proxy.seen and not [r for r in proxy.seen if r.path.startswith("/v2/changes")]


def test_without_the_change_feed_full_pulls_converge_and_an_unchanged_resync_is_all_304(
    tenant: Tenant, proxy: FaultProxy, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Shared")["id"]
    gone = tenant.create_publication("To archive")["id"]
    api = session_for(proxy.url, tenant.key)
    first, second = open_library("first"), open_library("second")

    def full(library: Library) -> SyncReport:
        report = library.sync(api, use_change_feed=False)
        assert report.status is SyncStatus.OK, report.message
        assert report.full_pull
        return report

    full(first)
    full(second)
    first.update_publication(one, {"title": "Shared (first)"})
    first.archive_publication(gone)
    full(first)
    full(second)
    assert [(p.id, p.data["title"]) for p in second.publications()] == [(one, "Shared (first)")]
    second.update_publication(one, {"description": "From second"})
    full(second)
    full(first)
    assert first.publication(one).data["description"] == "From second"
    assert first.publication(one).data["title"] == "Shared (first)"
    assert [p.id for p in first.publications()] == [one]

    proxy.clear_seen()
    again = full(first)
    assert again.pulled == 0 and again.pushed == 0
    lists = [r for r in proxy.seen if r.method == "GET"]
    assert lists and all(r.header("If-None-Match") for r in lists)
    assert not [r for r in lists if r.path.startswith("/v2/changes")]


# --- the key ------------------------------------------------------------------------------


def test_revoked_key_is_reported_and_keeps_everything_until_a_new_key_syncs(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Keyed")["id"]
    two = tenant.create_publication("Also keyed")["id"]
    created = tenant.api.post(
        "/v2/api_keys", json={"api_key": {"name": "laptop", "scope": "write"}}
    )
    assert created.status_code == 201, created.text
    laptop = created.json()["api_key"]
    library = open_library("revoked")
    synced(library, session_for(tenant.server.url, laptop["key"]))
    library.update_publication(one, {"title": "Waiting for a key"})
    revoked = tenant.api.delete(f"/v2/api_keys/{laptop['id']}")
    assert revoked.status_code == 204, revoked.text

    report = library.sync(session_for(tenant.server.url, laptop["key"]))
    assert report.status is SyncStatus.KEY_REVOKED
    assert laptop["key"] not in (report.message or "")
    assert library.status().key_status == "revoked"
    assert sorted(p.id for p in library.publications()) == sorted([one, two])
    [entry] = library.outbox()
    assert (entry.entity_id, entry.state) == (one, "queued")
    assert library.publication(one).data["title"] == "Waiting for a key"

    assert synced(library, session_for(tenant.server.url, tenant.key)).pushed == 1
    assert library.status().key_status == "ok"
    assert library.outbox() == []
    assert _server_publications(tenant)[one]["title"] == "Waiting for a key"


# --- the mirror file ----------------------------------------------------------------------


def test_mirror_locked_by_another_connection_raises_a_clear_error_and_loses_nothing(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Locked")["id"]
    library = open_library("locked")
    api = session_for(tenant.server.url, tenant.key)
    synced(library, api)
    library.update_publication(one, {"title": "Edited before the lock"})

    other = sqlite3.connect(library.store.path, isolation_level=None, timeout=1)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(MirrorLockedError) as locked:
            library.sync(api)
        assert "in use by another Folio process" in str(locked.value)
        assert library.store.path.name in str(locked.value)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert synced(library, api).pushed == 1
    assert library.publication(one).data["title"] == "Edited before the lock"
    assert _server_publications(tenant)[one]["title"] == "Edited before the lock"


def _as_nobody(data_dir: Path) -> list[str]:
    """The command prefix that runs a process as an unprivileged user (we are root), checked
    to be able to import Folio and read ``data_dir``."""
    for prefix in (
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
        ["runuser", "-u", "nobody", "--"],
    ):
        if shutil.which(prefix[0]) is None:
            continue
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", f"import os, app.cli; os.listdir({str(data_dir)!r})"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.returncode == 0:
            return prefix
    pytest.skip(
        "cannot run folio as an unprivileged user here (no setpriv/runuser, or the repo, "
        ".venv or temp dir are not readable by nobody); as root, chmod does not stop writes"
    )


def test_read_only_mirror_makes_folio_sync_fail_with_one_line(tenant: Tenant) -> None:
    tenant.create_publication("Read only")
    root = Path(tempfile.mkdtemp(prefix="folio-readonly-"))
    mirrors = root / "mirrors"
    path = mirror_file(mirrors, tenant.server.url)
    try:
        with Library.open(path) as library:
            synced(library, session_for(tenant.server.url, tenant.key))
        assert not path.with_name(path.name + "-wal").exists()
        if os.geteuid() == 0:
            # Readable, not writable, by nobody; the logs stay writable (not the point here).
            for directory in (root / "logs", root / "cache"):
                directory.mkdir()
                directory.chmod(0o777)
            root.chmod(0o755)
            mirrors.chmod(0o755)
            path.chmod(0o644)
            prefix = _as_nobody(root)
        else:
            prefix = []
            path.chmod(0o444)
            mirrors.chmod(0o555)
        env = {
            **os.environ,
            "FOLIO_API_KEY": tenant.key,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("FOLIO_SERVER_URL", None)
        result = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-m",
                "app",
                "sync",
                "--server",
                tenant.server.url,
                "--data-dir",
                str(root),
            ],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "can't be written" in lines[0] and "read-only" in lines[0]
        assert tenant.key not in result.stderr
        assert result.stdout == ""
    finally:
        mirrors.chmod(0o755)
        path.chmod(0o644)
        shutil.rmtree(root, ignore_errors=True)


# --- cancelling ---------------------------------------------------------------------------


def test_cancel_during_the_pull_stops_the_sync_and_the_next_one_converges(
    server: LiveServer, open_library: OpenLibrary
) -> None:
    tenant, created = _bulk_tenant(server)
    first_page_ids, first_cursor = _first_feed_page(tenant)
    library = open_library("cancel")
    api = session_for(server.url, tenant.key)
    cancel = threading.Event()

    def cancel_during_pull(phase: str, _done: int, _total: int) -> None:
        if phase == "pull":
            cancel.set()

    report = library.sync(api, progress=cancel_during_pull, cancel=cancel)
    assert report.status is SyncStatus.CANCELLED
    assert library.status().last_status == "cancelled"
    assert library.publication_count(tenant.group_id) == len(first_page_ids)
    assert _cursor(library) == first_cursor

    synced(library, api)
    assert {p.id for p in library.publications(tenant.group_id)} == created


def test_cancel_during_a_full_pull_stops_before_the_next_list(
    tenant: Tenant, open_library: OpenLibrary
) -> None:
    one = tenant.create_publication("Full")["id"]
    library = open_library("cancel-full")
    api = session_for(tenant.server.url, tenant.key)
    cancel = threading.Event()
    report = library.sync(
        api,
        progress=lambda phase, *_: cancel.set() if phase == "pull" else None,
        cancel=cancel,
        use_change_feed=False,
    )
    assert report.status is SyncStatus.CANCELLED
    assert library.publications() == []

    report = library.sync(api, use_change_feed=False)
    assert report.status is SyncStatus.OK, report.message
    assert [p.id for p in library.publications()] == [one]
