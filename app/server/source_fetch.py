"""Download a conversion's or feed's source file over http(s), with limits and an SSRF guard.

The server runs unattended and may be reachable from other machines, so a source URL is
untrusted input: only http(s), bounded in size and time, and (when ``allow_private`` is False)
never aimed at loopback, private or link-local addresses. Uses the standard library only;
``requests`` belongs to the client layer.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import ipaddress
import logging
import os
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, quote, unquote, urljoin, urlsplit

from app import __version__
from app.core.errors import SourceFetchError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CHUNK_SIZE = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FAILURE_PREFIX = "Fail to download given source file"
PRIVATE_ADDRESS_MESSAGE = "Source URLs may not point at private or local network addresses"
SCHEME_MESSAGE = "Only http and https source URLs are accepted"
# Characters left as they are when re-quoting a path or query: the reserved set plus "%", so an
# already-escaped URL is not escaped twice.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"
# The NAT64 well-known prefix carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchLimits:
    """Bounds on one download. Sizes in bytes, times in seconds."""

    max_bytes: int = 200 * 1024 * 1024
    connect_timeout: float = 10.0
    # Per socket read, so a stalled server fails instead of hanging.
    read_timeout: float = 30.0
    # Wall-clock cap on the whole download, redirects included.
    total_timeout: float = 300.0
    max_redirects: int = 5
    # False when the server listens on a non-loopback address.
    allow_private: bool = True


@dataclass(frozen=True)
class FetchResult:
    """A finished download. ``final_url`` is the last hop's URL without any userinfo (it may
    carry a query string: pass it through ``redact_url`` before showing it)."""

    path: Path
    size: int
    sha256: str
    content_type: str | None
    final_url: str


@dataclass(frozen=True)
class _Target:
    """One hop's URL, checked and split into what http.client needs."""

    url: str
    scheme: str
    host: str
    port: int
    request_path: str
    authorization: str | None

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


def is_private_address(address: str | IPAddress) -> bool:
    """Whether a source URL may not connect to ``address``: loopback, private, link-local,
    multicast, reserved, unspecified or otherwise not globally routable. IPv4 addresses embedded
    in IPv6 (IPv4-mapped, 6to4, NAT64) are judged by the IPv4 address they carry.

    Raises ValueError when ``address`` is not an IP address."""
    if isinstance(address, str):
        # getaddrinfo reports IPv6 link-local addresses with a zone ("fe80::1%eth0").
        address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_private_address(embedded)
        if address.is_site_local:
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def redact_url(url: str) -> str:
    """The URL as safe to show or log: scheme, host, port and path only; never userinfo, query or
    fragment. Returns "the given URL" when ``url`` can't be parsed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "the given URL"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path}"


def fetch_to_file(
    url: str,
    destination: Path,
    limits: FetchLimits = FetchLimits(),
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> FetchResult:
    """Download ``url`` to ``destination`` (created or replaced atomically; its directory is
    created if missing). Follows up to ``limits.max_redirects`` redirects, each hop checked
    again. Userinfo in the URL is sent as HTTP Basic credentials, and kept across redirects only
    to the same scheme, host and port.

    ``progress(received_bytes, content_length_or_None)`` is called after every chunk from this
    thread. ``cancel`` is checked between chunks, so a cancel waits at most one read_timeout.

    Raises SourceFetchError (message safe to show a user) for a refused URL, a network or HTTP
    failure, a file over the size limit or a cancel; no partial file is left behind. Raises
    OSError when the destination can't be written.
    """
    shown = redact_url(url)
    deadline = time.monotonic() + limits.total_timeout
    current_url = url.strip()
    previous: _Target | None = None
    for _hop in range(limits.max_redirects + 1):
        _check_cancel(cancel)
        target = _parse_target(current_url, previous)
        connection = _open_connection(target, limits, deadline)
        response: http.client.HTTPResponse | None = None
        try:
            response, sock = _send_request(connection, target, shown)
            location = response.getheader("Location")
            if response.status in REDIRECT_STATUSES and location:
                logger.debug("%s redirects to %s", redact_url(target.url), redact_url(location))
                current_url = urljoin(target.url, location.strip())
                previous = target
                continue
            if not 200 <= response.status < 300:
                logger.info("%s answered HTTP %d", redact_url(target.url), response.status)
                raise _failure(shown, f"HTTP {response.status}")
            result = _save_body(
                response, sock, target, destination, limits, deadline, cancel, progress, shown
            )
        finally:
            # With "Connection: close" http.client hands the socket to the response, so both
            # must be closed.
            if response is not None:
                response.close()
            connection.close()
        logger.info("fetched %s: %d bytes", shown, result.size)
        return result
    raise SourceFetchError("Too many redirects")


def _failure(shown: str, reason: str) -> SourceFetchError:
    return SourceFetchError(f"{FAILURE_PREFIX}: {shown} ({reason})")


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise SourceFetchError("Canceled")


def _parse_target(url: str, previous: _Target | None) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise SourceFetchError("The source URL is not valid") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise SourceFetchError(SCHEME_MESSAGE)
    if not parts.hostname:
        raise SourceFetchError("The source URL has no host name")
    try:
        # Resolve and send the ASCII (IDNA) form so DNS, SNI and the Host header agree.
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise SourceFetchError("The source URL is not valid") from exc
    if port is None:
        port = 443 if scheme == "https" else 80
    request_path = quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        request_path += "?" + quote(parts.query, safe=_URL_SAFE)
    authorization = _basic_authorization(parts)
    if authorization is None and previous is not None and previous.origin == (scheme, host, port):
        authorization = previous.authorization
    clean_url = parts._replace(netloc=parts.netloc.rpartition("@")[2], fragment="").geturl()
    return _Target(clean_url, scheme, host, port, request_path, authorization)


def _basic_authorization(parts: SplitResult) -> str | None:
    if parts.username is None:
        return None
    credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")


def _open_connection(
    target: _Target, limits: FetchLimits, deadline: float
) -> http.client.HTTPConnection:
    remaining = max(0.001, deadline - time.monotonic())
    guard = _SocketOpener(
        limits.allow_private,
        min(limits.connect_timeout, remaining),
        min(limits.read_timeout, remaining),
    )
    if target.scheme == "https":
        return _GuardedHTTPSConnection(target.host, target.port, guard)
    return _GuardedHTTPConnection(target.host, target.port, guard)


@dataclass(frozen=True)
class _SocketOpener:
    """Resolves a host and connects to a permitted address. The address check and the connect
    use the same resolved address, so DNS rebinding between the two can't slip past the guard."""

    allow_private: bool
    connect_timeout: float
    read_timeout: float

    def open(self, host: str, port: int) -> socket.socket:
        # getaddrinfo takes no timeout; the system resolver's own limits apply.
        candidates = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if not self.allow_private:
            candidates = [c for c in candidates if not is_private_address(str(c[4][0]))]
            if not candidates:
                logger.warning("refused a source URL that resolves to a private address: %s", host)
                raise SourceFetchError(PRIVATE_ADDRESS_MESSAGE)
        last_error: OSError | None = None
        for family, kind, proto, _name, address in candidates:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.connect_timeout)
                sock.connect(address)
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
            sock.settimeout(self.read_timeout)
            return sock
        assert last_error is not None  # getaddrinfo returns at least one address or raises
        raise last_error


class _GuardedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP that connects only through the guard, and never through a proxy (a proxy
    would connect on our behalf, past the address check)."""

    def __init__(self, host: str, port: int, opener: _SocketOpener) -> None:
        super().__init__(host, port, timeout=opener.connect_timeout)
        self._opener = opener

    def connect(self) -> None:
        self.sock = self._opener.open(self.host, self.port)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS over a socket from the guard; the certificate is checked against the host name,
    which is also sent as SNI."""

    def __init__(self, host: str, port: int, opener: _SocketOpener) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=opener.connect_timeout, context=self._tls)
        self._opener = opener

    def connect(self) -> None:
        raw = self._opener.open(self.host, self.port)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def _send_request(
    connection: http.client.HTTPConnection, target: _Target, shown: str
) -> tuple[http.client.HTTPResponse, socket.socket]:
    """Send the GET and read the status and headers. Returns the response and its socket (kept
    so each body read can get its own timeout, even after http.client hands the socket over to
    the response)."""
    headers = {"User-Agent": f"Folio/{__version__}", "Accept": "*/*", "Connection": "close"}
    if target.authorization is not None:
        headers["Authorization"] = target.authorization
    try:
        connection.request("GET", target.request_path, headers=headers)
        sock = connection.sock
        response = connection.getresponse()
    except socket.gaierror as exc:
        raise _failure(shown, "could not connect: unknown host") from exc
    except TimeoutError as exc:
        raise _failure(shown, "timed out") from exc
    except ssl.SSLCertVerificationError as exc:
        raise _failure(shown, "the server's certificate is not valid") from exc
    except ssl.SSLError as exc:
        raise _failure(shown, "the secure connection failed") from exc
    except http.client.RemoteDisconnected as exc:
        raise _failure(shown, "the server closed the connection") from exc
    except OSError as exc:
        raise _failure(shown, "could not connect") from exc
    except http.client.HTTPException as exc:
        raise _failure(shown, "the server sent an invalid response") from exc
    assert isinstance(sock, socket.socket)
    return response, sock


def _save_body(
    response: http.client.HTTPResponse,
    sock: socket.socket,
    target: _Target,
    destination: Path,
    limits: FetchLimits,
    deadline: float,
    cancel: threading.Event | None,
    progress: Callable[[int, int | None], None] | None,
    shown: str,
) -> FetchResult:
    total = _content_length(response)
    if total is not None and total > limits.max_bytes:
        raise _too_large(limits.max_bytes)
    destination.parent.mkdir(parents=True, exist_ok=True)
    # The temp file sits next to the destination so the final rename stays on one filesystem.
    fd, temp_name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".part"
    )
    temp_path = Path(temp_name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while True:
                _check_cancel(cancel)
                chunk = _read_chunk(response, sock, limits.read_timeout, deadline, shown)
                if not chunk:
                    # http.client reports a body cut short only when reading all at once.
                    if total is not None and size < total:
                        raise _failure(shown, "the connection closed before the file was complete")
                    break
                size += len(chunk)
                if size > limits.max_bytes:
                    raise _too_large(limits.max_bytes)
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(size, total)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_path, destination)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    return FetchResult(
        path=destination,
        size=size,
        sha256=digest.hexdigest(),
        content_type=_content_type(response),
        final_url=target.url,
    )


def _read_chunk(
    response: http.client.HTTPResponse,
    sock: socket.socket,
    read_timeout: float,
    deadline: float,
    shown: str,
) -> bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _failure(shown, "timed out")
    # A read waits no longer than the per-read timeout nor past the whole download's deadline.
    sock.settimeout(min(read_timeout, remaining))
    try:
        # read1 returns what one socket read brings, so a server trickling bytes can't hold a
        # read open past the deadline.
        return response.read1(CHUNK_SIZE)
    except TimeoutError as exc:
        raise _failure(shown, "timed out") from exc
    except http.client.IncompleteRead as exc:
        raise _failure(shown, "the connection closed before the file was complete") from exc
    except ssl.SSLError as exc:
        raise _failure(shown, "the secure connection failed") from exc
    except OSError as exc:
        raise _failure(shown, "the connection was lost") from exc
    except http.client.HTTPException as exc:
        raise _failure(shown, "the server sent an invalid response") from exc


def _content_length(response: http.client.HTTPResponse) -> int | None:
    if response.getheader("Transfer-Encoding", "").lower() == "chunked":
        return None
    value = response.getheader("Content-Length")
    try:
        length = int(value) if value is not None else None
    except ValueError:
        return None
    return length if length is not None and length >= 0 else None


def _content_type(response: http.client.HTTPResponse) -> str | None:
    value = response.getheader("Content-Type")
    if value is None:
        return None
    media_type = value.split(";", 1)[0].strip().lower()
    return media_type or None


def _too_large(max_bytes: int) -> SourceFetchError:
    megabytes = max_bytes / (1024 * 1024)
    shown = f"{megabytes:.0f}" if megabytes >= 10 or megabytes.is_integer() else f"{megabytes:.2g}"
    return SourceFetchError(f"The file is larger than the {shown} MB limit")
