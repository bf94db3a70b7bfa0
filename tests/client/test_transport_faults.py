"""The transport under a failing network and a struggling server: retries, backoff, Retry-After,
idempotency across a lost answer, cancel, and keys that never leak. Real HTTP throughout, with
``FaultProxy`` between the client and a real server."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.client import (
    ApiError,
    ApiSession,
    AuthenticationError,
    CancelledError,
    ClientError,
    FolioApi,
    MalformedResponseError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationFailedError,
)
from tests.conftest import LiveServer, Tenant
from tests.fault_proxy import DROPPED, FORWARDED, REPLACED, FaultProxy
from tests.sample_pdfs import plain_pdf

SOURCE = "http://example.com/spring.pdf"
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


def raw_response(status: int, reason: str, *headers: str, body: bytes = b"") -> bytes:
    head = [f"HTTP/1.1 {status} {reason}", *headers, f"Content-Length: {len(body)}"]
    if body:
        head.append("Content-Type: application/json")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


BUSY = b'{"error": "Busy, try again", "code": "unavailable"}'
REASONS = {429: "Too Many Requests", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Timeout"}


def failing(status: int, *headers: str) -> bytes:
    return raw_response(status, REASONS[status], *headers, body=BUSY)


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[FaultProxy]:
    with FaultProxy(server.url) as running:
        yield running


@pytest.fixture
def api(proxy: FaultProxy, tenant: Tenant) -> Iterator[FolioApi]:
    with FolioApi.connect(proxy.url, tenant.key, retry=FAST) as client:
        yield client


def titles(tenant: Tenant, api: FolioApi) -> list[str]:
    return [p["title"] for p in api.iter_publications(tenant.group_id)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- retries on server answers


def test_503_with_retry_after_waits_that_long_then_succeeds_with_the_same_key(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    proxy.replace_responses(failing(503, "Retry-After: 1"))
    started = time.monotonic()
    created = api.create_publication(tenant.group_id, "After a pause", SOURCE)
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 3.0
    assert created.data["title"] == "After a pause"
    first, second = proxy.seen
    assert (first.outcome, second.outcome) == (REPLACED, FORWARDED)
    assert first.header("Idempotency-Key") == second.header("Idempotency-Key") is not None
    assert first.body == second.body


@pytest.mark.parametrize("status", [429, 502, 504])
def test_transient_statuses_are_retried_until_the_server_answers(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant, status: int
) -> None:
    proxy.replace_responses(failing(status, "Retry-After: 0"), n=2)
    tag = api.create_metatag(tenant.group_id, "season", f"spring {status}")
    assert [m["id"] for m in api.list_metatags(tenant.group_id)] == [tag.data["id"]]
    posts = [r for r in proxy.seen if r.method == "POST"]
    assert [r.outcome for r in posts] == [REPLACED, REPLACED, FORWARDED]
    assert len({r.header("Idempotency-Key") for r in posts}) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_exhausted_retries_raise_server_error(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant, status: int
) -> None:
    proxy.replace_responses(failing(status), n=FAST.attempts)
    with pytest.raises(ServerError) as caught:
        api.create_collection(tenant.group_id, "Never")
    assert caught.value.status == status and caught.value.code == "unavailable"
    assert str(caught.value) == "Busy, try again"
    assert len(proxy.seen) == FAST.attempts
    assert api.list_collections(tenant.group_id) == []


def test_exhausted_429_raises_rate_limited_with_the_servers_retry_after(
    proxy: FaultProxy, api: FolioApi
) -> None:
    proxy.replace_responses(failing(429, "Retry-After: 0"), n=FAST.attempts)
    with pytest.raises(RateLimitedError) as caught:
        api.list_groups()
    assert caught.value.status == 429 and caught.value.retry_after == 0.0
    assert len(proxy.seen) == FAST.attempts


def test_retry_after_beyond_the_policys_limit_raises_at_once(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    proxy.replace_responses(failing(503, "Retry-After: 120"))
    started = time.monotonic()
    with pytest.raises(ServerError) as caught:
        api.create_collection(tenant.group_id, "Later")
    assert time.monotonic() - started < 0.5
    assert caught.value.retry_after == 120.0
    assert len(proxy.seen) == 1


def test_client_errors_are_not_retried(proxy: FaultProxy, api: FolioApi, tenant: Tenant) -> None:
    with pytest.raises(ValidationFailedError):
        api.create_publication(tenant.group_id, "", SOURCE)
    assert len(proxy.seen) == 1


# --- the network


def test_connection_refused_is_a_transport_error_naming_the_host_only(tenant: Tenant) -> None:
    port = free_port()
    session = ApiSession(f"http://127.0.0.1:{port}", tenant.key, retry=FAST)
    with FolioApi(session) as api, pytest.raises(TransportError) as caught:
        api.create_publication(tenant.group_id, "Nowhere", SOURCE)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "refused" in message
    assert tenant.key not in message and "/v2" not in message and "publications" not in message


def test_lost_answer_to_a_create_is_retried_and_the_server_creates_one_publication(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    proxy.drop_responses()
    created = api.create_publication(tenant.group_id, "Exactly once", SOURCE)
    assert titles(tenant, api) == ["Exactly once"]
    assert created.data["id"] == next(api.iter_publications(tenant.group_id))["id"]
    posts = [r for r in proxy.seen if r.method == "POST"]
    assert [r.outcome for r in posts] == [DROPPED, FORWARDED]
    assert posts[0].header("Idempotency-Key") == posts[1].header("Idempotency-Key")


def test_lost_answer_to_an_update_is_retried_and_applied_once(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    publication = api.create_publication(tenant.group_id, "Before", SOURCE)
    proxy.drop_responses()
    updated = api.update_publication(
        tenant.group_id, publication.data["id"], {"title": "After"}, if_match=publication.etag
    )
    # The retry replays the stored answer; without the key its If-Match would now be stale.
    assert updated.data["title"] == "After"
    puts = [r for r in proxy.seen if r.method == "PUT"]
    assert [r.outcome for r in puts] == [DROPPED, FORWARDED]


def test_lost_answer_to_a_delete_replays_its_success_instead_of_a_404(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    publication = api.create_publication(tenant.group_id, "Doomed", SOURCE).data
    proxy.drop_responses()
    api.archive_publication(tenant.group_id, publication["id"])
    assert titles(tenant, api) == []
    deletes = [r for r in proxy.seen if r.method == "DELETE"]
    assert [r.outcome for r in deletes] == [DROPPED, FORWARDED]
    assert deletes[0].header("Idempotency-Key") == deletes[1].header("Idempotency-Key")


def test_retried_upload_sends_the_whole_file_again(
    proxy: FaultProxy, api: FolioApi, tmp_path: Path
) -> None:
    data = plain_pdf(1) + b"%" + b"x" * 300_000
    path = tmp_path / "source.pdf"
    path.write_bytes(data)
    proxy.drop_responses()
    upload = api.upload_file(path)
    assert upload["size"] == len(data)
    first, second = (r for r in proxy.seen if r.method == "POST")
    assert len(first.body) == len(second.body) > len(data)
    assert first.body == second.body


def test_retried_multipart_file_object_is_sent_from_its_start_again(
    proxy: FaultProxy, api: FolioApi, tmp_path: Path
) -> None:
    data = plain_pdf(1)
    path = tmp_path / "source.pdf"
    path.write_bytes(data)
    proxy.drop_responses()
    with path.open("rb") as file:
        response = api.session.request("POST", "/v2/uploads", files={"file": ("a.pdf", file)})
    assert response.body["upload"]["size"] == len(data)
    first, second = (r for r in proxy.seen if r.method == "POST")
    assert len(first.body) == len(second.body) > len(data)


def test_offline_network_is_a_transport_error_and_sync_resumes_when_back(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    assert api.list_groups()  # leaves a keep-alive connection in the pool
    proxy.set_offline(True)
    with pytest.raises(TransportError) as caught:
        api.create_collection(tenant.group_id, "Offline")
    assert proxy.url.removeprefix("http://") in str(caught.value)
    proxy.set_offline(False)
    api.create_collection(tenant.group_id, "Online")
    assert [c["title"] for c in api.list_collections(tenant.group_id)] == ["Online"]


def test_keep_alive_connections_carry_many_requests_through_the_proxy(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant
) -> None:
    for n in range(5):
        api.create_metatag(tenant.group_id, "n", str(n))
        assert len(api.list_metatags(tenant.group_id)) == n + 1
    assert proxy.connections == 1 and len(proxy.seen) == 10


def test_fault_proxy_closes_promptly_with_connections_still_open(
    server: LiveServer, tenant: Tenant
) -> None:
    proxy = FaultProxy(server.url)
    with FolioApi.connect(proxy.url, tenant.key, retry=FAST) as api:
        assert api.list_groups()  # an idle keep-alive connection stays open
        started = time.monotonic()
        proxy.close()
        assert time.monotonic() - started < 1.0
        with pytest.raises(TransportError):
            api.list_groups()


# --- what the server says, not what it means


def test_a_body_that_is_not_json_is_malformed(proxy: FaultProxy, api: FolioApi) -> None:
    proxy.replace_responses(raw_response(200, "OK", "Content-Type: application/json", body=b"{oo"))
    with pytest.raises(MalformedResponseError):
        api.list_groups()
    html = raw_response(200, "OK", "Content-Type: text/html", body=b"<html>login</html>")
    proxy.replace_responses(html)
    with pytest.raises(MalformedResponseError) as caught:
        api.list_groups()
    assert "text/html" in str(caught.value)


# --- cancel


def test_cancel_during_backoff_raises_cancelled_promptly(proxy: FaultProxy, tenant: Tenant) -> None:
    cancel = threading.Event()
    with FolioApi.connect(proxy.url, tenant.key, retry=FAST, cancel=cancel) as api:
        proxy.replace_responses(failing(503, "Retry-After: 5"), n=FAST.attempts)
        threading.Timer(0.2, cancel.set).start()
        started = time.monotonic()
        with pytest.raises(CancelledError):
            api.create_collection(tenant.group_id, "Cancelled")
        assert time.monotonic() - started < 1.0
        assert len(proxy.seen) == 1


def test_cancel_set_before_a_call_sends_nothing(proxy: FaultProxy, tenant: Tenant) -> None:
    cancel = threading.Event()
    cancel.set()
    with FolioApi.connect(proxy.url, tenant.key, cancel=cancel) as api:
        with pytest.raises(CancelledError):
            api.list_groups()
        assert proxy.seen == []


# --- the key stays secret


def test_key_appears_in_no_repr_message_or_log(
    proxy: FaultProxy, api: FolioApi, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[ClientError] = []

    def expect_error(call: Callable[[], object]) -> None:
        try:
            call()
        except ClientError as exc:
            errors.append(exc)
        else:
            raise AssertionError("expected a ClientError")

    proxy.replace_responses(failing(503), n=FAST.attempts)
    expect_error(api.list_groups)
    proxy.replace_responses(raw_response(200, "OK", body=b"<html>"))
    expect_error(api.list_groups)
    expect_error(lambda: api.create_publication(tenant.group_id, "", SOURCE))
    expect_error(lambda: api.get_publication(tenant.group_id, 2**40))
    proxy.set_offline(True)
    expect_error(api.list_groups)
    proxy.set_offline(False)
    refused = ApiSession(f"http://127.0.0.1:{free_port()}", tenant.key, retry=FAST)
    expect_error(lambda: refused.request("GET", "/v2/groups"))
    wrong = f"{tenant.key}-but-wrong"
    with FolioApi.connect(proxy.url, wrong, retry=FAST) as stranger:
        expect_error(stranger.list_groups)
        assert wrong not in repr(stranger) and wrong not in repr(stranger.session)
    kinds = {type(e) for e in errors}
    assert {ServerError, MalformedResponseError, ValidationFailedError, TransportError} <= kinds
    assert AuthenticationError in kinds
    for error in errors:
        for text in (str(error), repr(error), str(error.args)):
            assert tenant.key not in text
        if isinstance(error, ApiError):
            assert tenant.key not in str(error.field_errors)
    for text in (repr(api), repr(api.session), repr(refused), caplog.text):
        assert tenant.key not in text
    assert proxy.url in repr(api.session)


def test_a_netrc_entry_for_the_host_never_replaces_the_api_key(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    session = ApiSession(tenant.server.url, tenant.key)
    try:
        response = session.request("GET", "/v2/groups")
    finally:
        session.close()
    assert response.status == 200
    assert response.body["groups"][0]["id"] == tenant.group_id
