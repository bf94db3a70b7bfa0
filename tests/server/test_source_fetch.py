"""Fetching a source URL: limits, redirects, failures and the private-address guard, against a
real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.core.errors import SourceFetchError
from app.server import source_fetch
from app.server.source_fetch import (
    FetchLimits,
    fetch_to_file,
    is_private_address,
    redact_url,
)

PAYLOAD = bytes((i * 31 + 7) % 256 for i in range(300_000))  # several read chunks
BIG_BODY = b"x" * 5_000
DEFAULT_LIMITS = FetchLimits()
SMALL_LIMITS = FetchLimits(max_bytes=1_000)
CREDENTIALS = "Basic " + base64.b64encode(b"user:s3cret").decode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SourceServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/file.pdf":
            self._send(200, PAYLOAD, "application/pdf; charset=binary")
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            self._redirect("/file.pdf" if left <= 1 else f"/redirect/{left - 1}")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/to-other-host":
            self._redirect(f"http://127.0.0.2:{self.server.server_port}/file.pdf")
        elif path == "/auth":
            ok = self.headers.get("Authorization") == CREDENTIALS
            self._send(200 if ok else 401, b"secret file" if ok else b"who are you?")
        elif path == "/to-auth":
            self._redirect("/auth")
        elif path == "/to-auth-on-localhost":
            self._redirect(f"http://localhost:{self.server.server_port}/auth")
        elif path == "/big":
            self._send(200, BIG_BODY)
        elif path == "/big-chunked":
            self._send_chunked(BIG_BODY, 500)
        elif path == "/declares-huge":
            self._send_headers(200, 10 * 1024 * 1024)
            self.server.release.wait(10)  # never sends the body
        elif path == "/stall":
            self._send_headers(200, 1_000)
            self.server.release.wait(10)
        elif path == "/trickle":
            self._send_headers(200, 100)
            for _ in range(100):
                if self.server.release.wait(0.05):
                    break
                self.wfile.write(b".")
                self.wfile.flush()
        elif path == "/short":
            self._send_headers(200, 1_000)
            self.wfile.write(b"only ten b")
            self.close_connection = True
        else:
            self._send(404, b"not here")

    def _send_headers(self, status: int, length: int | None, content_type: str = "") -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.flush()

    def _send(self, status: int, body: bytes, content_type: str = "") -> None:
        self._send_headers(status, len(body), content_type)
        self.wfile.write(body)

    def _send_chunked(self, body: bytes, size: int) -> None:
        self._send_headers(200, None)
        for start in range(0, len(body), size):
            part = body[start : start + size]
            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _SourceServer(ThreadingHTTPServer):
    daemon_threads = True
    release = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up mid-body is expected here


@dataclass(frozen=True)
class Source:
    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def source() -> Iterator[Source]:
    server = _SourceServer(("127.0.0.1", 0), _Handler)
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Source(server.server_port)
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def destination(tmp_path: Path) -> Path:
    return tmp_path / "out" / "source.pdf"


def _fails(
    url: str,
    destination: Path,
    limits: FetchLimits = DEFAULT_LIMITS,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> str:
    """Fetch expecting a SourceFetchError; check nothing was left behind; return the message."""
    with pytest.raises(SourceFetchError) as caught:
        fetch_to_file(url, destination, limits, cancel=cancel, progress=progress)
    leftovers = list(destination.parent.iterdir()) if destination.parent.exists() else []
    assert leftovers == []
    return str(caught.value)


# --- successful downloads -------------------------------------------------------------------


def test_fetch_writes_the_file_with_its_size_hash_and_type(
    source: Source, destination: Path
) -> None:
    result = fetch_to_file(source.url("/file.pdf"), destination)
    assert destination.read_bytes() == PAYLOAD
    assert result.path == destination
    assert result.size == len(PAYLOAD)
    assert result.sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    assert result.content_type == "application/pdf"
    assert result.final_url == source.url("/file.pdf")
    assert list(destination.parent.iterdir()) == [destination]


def test_progress_reports_bytes_so_far_and_the_total(source: Source, destination: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    fetch_to_file(source.url("/file.pdf"), destination, progress=lambda n, t: calls.append((n, t)))
    assert len(calls) > 1
    assert [n for n, _ in calls] == sorted(n for n, _ in calls)
    assert calls[-1] == (len(PAYLOAD), len(PAYLOAD))


def test_chunked_body_without_length_reports_no_total(source: Source, destination: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    result = fetch_to_file(
        source.url("/big-chunked"), destination, progress=lambda n, t: calls.append((n, t))
    )
    assert result.size == len(BIG_BODY)
    assert destination.read_bytes() == BIG_BODY
    assert {t for _, t in calls} == {None}


def test_redirect_chain_within_the_limit_is_followed(source: Source, destination: Path) -> None:
    result = fetch_to_file(source.url("/redirect/3"), destination)
    assert destination.read_bytes() == PAYLOAD
    assert result.final_url == source.url("/file.pdf")


def test_exactly_max_redirects_is_still_followed(source: Source, destination: Path) -> None:
    fetch_to_file(source.url("/redirect/5"), destination, FetchLimits(max_redirects=5))
    assert destination.read_bytes() == PAYLOAD


def test_userinfo_is_sent_as_basic_credentials(source: Source, destination: Path) -> None:
    url = f"http://user:s3cret@127.0.0.1:{source.port}/auth"
    result = fetch_to_file(url, destination)
    assert destination.read_bytes() == b"secret file"
    assert "s3cret" not in result.final_url


def test_credentials_follow_a_redirect_on_the_same_origin(
    source: Source, destination: Path
) -> None:
    fetch_to_file(f"http://user:s3cret@127.0.0.1:{source.port}/to-auth", destination)
    assert destination.read_bytes() == b"secret file"


def test_credentials_are_not_sent_to_another_host(source: Source, destination: Path) -> None:
    message = _fails(
        f"http://user:s3cret@127.0.0.1:{source.port}/to-auth-on-localhost", destination
    )
    assert message.endswith("(HTTP 401)")


def test_an_existing_destination_is_replaced(source: Source, destination: Path) -> None:
    destination.parent.mkdir()
    destination.write_bytes(b"old")
    fetch_to_file(source.url("/file.pdf"), destination)
    assert destination.read_bytes() == PAYLOAD


# --- refused URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file.pdf",
        "data:application/pdf;base64,JVBERi0=",
        "gopher://127.0.0.1:70/_x",
        "javascript:alert(1)",
        "example.com/file.pdf",
    ],
)
def test_only_http_and_https_are_accepted(url: str, destination: Path) -> None:
    assert _fails(url, destination) == "Only http and https source URLs are accepted"


@pytest.mark.parametrize("url", ["http:///file.pdf", "https://:443/file.pdf", "http://"])
def test_a_url_without_a_host_is_refused(url: str, destination: Path) -> None:
    assert _fails(url, destination) == "The source URL has no host name"


def test_a_url_with_a_bad_port_is_refused(destination: Path) -> None:
    assert _fails("http://example.com:99999/f.pdf", destination) == "The source URL is not valid"


def test_a_redirect_to_a_file_url_is_refused(source: Source, destination: Path) -> None:
    assert _fails(source.url("/to-file"), destination) == (
        "Only http and https source URLs are accepted"
    )


def test_too_many_redirects_fail(source: Source, destination: Path) -> None:
    assert _fails(source.url("/redirect/6"), destination) == "Too many redirects"


# --- failures while fetching ----------------------------------------------------------------


def test_http_error_status_names_the_url_and_status(source: Source, destination: Path) -> None:
    assert _fails(source.url("/missing"), destination) == (
        f"Fail to download given source file: {source.url('/missing')} (HTTP 404)"
    )


def test_messages_never_show_userinfo_query_or_fragment(source: Source, destination: Path) -> None:
    url = f"http://user:s3cret@127.0.0.1:{source.port}/missing?token=abc123#page=2"
    message = _fails(url, destination)
    assert message == f"Fail to download given source file: {source.url('/missing')} (HTTP 404)"


def test_declared_length_over_the_limit_is_refused_before_reading(
    source: Source, destination: Path
) -> None:
    limits = FetchLimits(max_bytes=2 * 1024 * 1024, read_timeout=5)
    started = time.monotonic()
    assert _fails(source.url("/declares-huge"), destination, limits) == (
        "The file is larger than the 2 MB limit"
    )
    assert time.monotonic() - started < 2


def test_body_over_the_limit_with_content_length_fails(source: Source, destination: Path) -> None:
    assert _fails(source.url("/big"), destination, SMALL_LIMITS).startswith(
        "The file is larger than the"
    )


def test_chunked_body_over_the_limit_fails_while_streaming(
    source: Source, destination: Path
) -> None:
    assert _fails(source.url("/big-chunked"), destination, SMALL_LIMITS).startswith(
        "The file is larger than the"
    )


def test_a_stalled_server_times_out_quickly(source: Source, destination: Path) -> None:
    started = time.monotonic()
    message = _fails(source.url("/stall"), destination, FetchLimits(read_timeout=1.0))
    assert message == f"Fail to download given source file: {source.url('/stall')} (timed out)"
    assert time.monotonic() - started < 3


def test_the_whole_download_is_capped_by_total_timeout(source: Source, destination: Path) -> None:
    started = time.monotonic()
    limits = FetchLimits(read_timeout=5, total_timeout=0.5)
    assert _fails(source.url("/trickle"), destination, limits).endswith("(timed out)")
    assert time.monotonic() - started < 2


def test_a_body_cut_short_fails(source: Source, destination: Path) -> None:
    message = _fails(source.url("/short"), destination)
    assert message.startswith(f"Fail to download given source file: {source.url('/short')} (")


def test_a_closed_port_cannot_connect(destination: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = _fails(f"http://127.0.0.1:{port}/file.pdf", destination)
    assert message == (
        f"Fail to download given source file: http://127.0.0.1:{port}/file.pdf (could not connect)"
    )


def test_an_unknown_host_cannot_connect(destination: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    message = _fails("https://no-such-host.example/file.pdf", destination)
    assert message == (
        "Fail to download given source file: https://no-such-host.example/file.pdf"
        " (could not connect: unknown host)"
    )


def test_cancel_between_chunks_stops_and_removes_the_partial_file(
    source: Source, destination: Path
) -> None:
    cancel = threading.Event()
    calls: list[int] = []

    def cancel_after_first_chunk(received: int, total: int | None) -> None:
        calls.append(received)
        cancel.set()

    message = _fails(
        source.url("/file.pdf"), destination, cancel=cancel, progress=cancel_after_first_chunk
    )
    assert message == "Canceled"
    assert len(calls) == 1 and calls[0] < len(PAYLOAD)


def test_a_cancel_before_starting_fetches_nothing(source: Source, destination: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    assert _fails(source.url("/file.pdf"), destination, cancel=cancel) == "Canceled"


# --- private addresses ----------------------------------------------------------------------

PUBLIC_ONLY = FetchLimits(allow_private=False)
PRIVATE_MESSAGE = "Source URLs may not point at private or local network addresses"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "10.0.0.1", "169.254.169.254", "0.0.0.0", "2130706433"],
)
def test_private_hosts_are_refused_when_only_public_is_allowed(
    source: Source, destination: Path, host: str
) -> None:
    url = f"http://{host}:{source.port}/file.pdf"
    assert _fails(url, destination, PUBLIC_ONLY) == PRIVATE_MESSAGE


def test_private_hosts_are_fine_when_allowed(source: Source, destination: Path) -> None:
    url = f"http://localhost:{source.port}/file.pdf"
    fetch_to_file(url, destination, FetchLimits(allow_private=True))
    assert destination.read_bytes() == PAYLOAD


def test_every_redirect_hop_is_checked_again(
    source: Source, destination: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only loopback can be served here, so let 127.0.0.1 pass and treat 127.0.0.2 as private.
    real: Callable[[str], bool] = is_private_address
    monkeypatch.setattr(source_fetch, "is_private_address", lambda a: a != "127.0.0.1" and real(a))
    fetch_to_file(source.url("/file.pdf"), destination, PUBLIC_ONLY)  # the first hop passes
    second = destination.parent.parent / "second" / "source.pdf"
    assert _fails(source.url("/to-other-host"), second, PUBLIC_ONLY) == (PRIVATE_MESSAGE)


def test_the_address_check_uses_the_resolved_address(
    source: Source, destination: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A public-looking name that resolves to loopback (DNS rebinding) is refused at connect time.
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host: str, *args: Any, **kwargs: Any) -> Any:
        return real_getaddrinfo("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://public.example:{source.port}/file.pdf"
    assert _fails(url, destination, PUBLIC_ONLY) == PRIVATE_MESSAGE


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("10.0.0.1", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fe80::1%eth0", True),
        ("fc00::1", True),
        ("fd12:3456::1", True),
        ("fec0::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("::ffff:169.254.169.254", True),
        ("2002:7f00:1::", True),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", True),  # NAT64 around 169.254.169.254
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("1.1.1.1", False),
        ("2606:4700:4700::1111", False),
        ("2a00:1450:4001:81b::200e", False),
        ("::ffff:8.8.8.8", False),
        ("2002:808:808::", False),  # 6to4 around 8.8.8.8
    ],
)
def test_address_classifier(address: str, private: bool) -> None:
    assert is_private_address(address) is private


def test_address_classifier_rejects_non_addresses() -> None:
    with pytest.raises(ValueError):
        is_private_address("example.com")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@host.example/a/b.pdf?sig=1#x", "https://host.example/a/b.pdf"),
        ("http://[::1]:8080/f.pdf", "http://[::1]:8080/f.pdf"),
        ("http://host.example:99999/f.pdf", "the given URL"),
    ],
)
def test_redact_url_keeps_only_scheme_host_port_and_path(url: str, shown: str) -> None:
    assert redact_url(url) == shown
