"""A real HTTP proxy for tests that breaks the network on purpose.

``FaultProxy(target_url)`` listens on 127.0.0.1 (an ephemeral port; ``.url``) and forwards each
HTTP/1.1 request to the target server, keep-alive connections included, unless a fault is armed:

- ``set_offline(True)``: every connection (new, and the open keep-alive ones) is reset at once,
  without an answer, until ``set_offline(False)``. The client sees a connection error.
- ``drop_responses(n=1)``: each of the next n requests IS forwarded and the target's whole answer
  is read, then thrown away, and the client's connection is closed with no answer: a network
  cut between the server doing the work and the client hearing about it.
- ``replace_responses(raw, n=1)``: each of the next n requests is answered with the raw bytes of
  ``raw`` (a whole HTTP response) and never forwarded. The connection is closed after it
  (``Connection: close`` is added when missing, so the client does not reuse it).

Faults queue in the order they were armed: ``replace_responses(r503); drop_responses()`` answers
the next request with 503 and drops the answer to the one after. ``seen`` records every request
that arrived (method, path with query, headers, body, and what the proxy did with it), e.g. to
check that a retried POST kept its Idempotency-Key.

Each forwarded request goes to the target on a connection of its own; when the target is down
the client's connection closes without an answer. ``connections`` counts the client connections
accepted (a keep-alive client makes one for many requests).

Use it as a context manager (or call ``close()``): closing stops the threads and closes every
socket. Messages are buffered whole, which suits tests, not large transfers.

    with FaultProxy(server.url) as proxy:
        api = FolioApi.connect(proxy.url, key)
        proxy.drop_responses()
        api.create_publication(...)            # retried; the server did it once
        assert len({r.header("Idempotency-Key") for r in proxy.seen}) == 1
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

FORWARDED = "forwarded"
DROPPED = "dropped"
REPLACED = "replaced"
REFUSED = "refused"

IDLE_TIMEOUT = 120.0  # a silent connection is closed after this long: no thread waits forever
MAX_HEAD = 64 * 1024


@dataclass(frozen=True)
class SeenRequest:
    """A request as the proxy received it, and what it did with it (FORWARDED, DROPPED,
    REPLACED or REFUSED when it arrived while offline)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    outcome: str

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


class _Closed(Exception):
    """The peer closed the connection (or broke the message) before a whole message arrived."""


class _Reader:
    """Reads HTTP/1.1 messages from a socket, keeping their raw bytes to relay them verbatim."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if data:
            self.buffer += data
        return bool(data)

    def at_eof(self) -> bool:
        """True when the peer closed the connection cleanly before a new message began."""
        return not self.buffer and not self._fill()

    def line(self) -> bytes:
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD or not self._fill():
                raise _Closed
        end = self.buffer.index(b"\n") + 1
        data = bytes(self.buffer[:end])
        del self.buffer[:end]
        return data

    def exact(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise _Closed
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def until_eof(self) -> bytes:
        while self._fill():
            pass
        data = bytes(self.buffer)
        self.buffer.clear()
        return data

    def head(self) -> tuple[str, list[tuple[str, str]], bytes]:
        """The start line, the headers and the raw bytes of a message's head."""
        raw = bytearray(self.line())
        while raw.strip() == b"":  # tolerate stray CRLFs between messages
            raw = bytearray(self.line())
        start = raw.decode("latin-1").strip()
        headers: list[tuple[str, str]] = []
        while True:
            line = self.line()
            raw += line
            if line in (b"\r\n", b"\n"):
                return start, headers, bytes(raw)
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))

    def chunked(self) -> bytes:
        raw = bytearray()
        while True:
            size_line = self.line()
            raw += size_line
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, up to the empty line
                    line = self.line()
                    raw += line
                    if line in (b"\r\n", b"\n"):
                        return bytes(raw)
            raw += self.exact(size + 2)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _wants_close(headers: list[tuple[str, str]]) -> bool:
    return "close" in (_header(headers, "connection") or "").lower()


def _body(reader: _Reader, headers: list[tuple[str, str]], *, until_eof: bool) -> bytes:
    """A message body by its framing: chunked, Content-Length, or (responses) up to EOF."""
    if "chunked" in (_header(headers, "transfer-encoding") or "").lower():
        return reader.chunked()
    length = _header(headers, "content-length")
    if length is not None:
        return reader.exact(int(length))
    return reader.until_eof() if until_eof else b""


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a dead network path or a crashed peer does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _wake(sock: socket.socket) -> None:
    """End a connection that another thread is blocked on (its recv returns at once)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _with_connection_close(raw: bytes) -> bytes:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator or b"\r\nconnection:" in head.lower():
        return raw
    return head + b"\r\nConnection: close" + separator + body


class FaultProxy:
    """See the module docstring. Thread-safe: faults can be armed from any thread."""

    def __init__(self, target_url: str) -> None:
        target = urlsplit(target_url)
        if target.scheme != "http" or not target.hostname:
            raise ValueError(f"FaultProxy forwards to http:// URLs only, not {target_url!r}")
        self.target = (target.hostname, target.port or 80)
        self._lock = threading.Lock()
        self._faults: deque[tuple[str, bytes]] = deque()
        self._offline = False
        self._closed = False
        self._seen: list[SeenRequest] = []
        self._connections = 0
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # the accept loop looks at _closed this often
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._accepter = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._accepter.start()

    # --- faults

    def set_offline(self, offline: bool = True) -> None:
        """Reset every connection, open or new, until called again with False."""
        with self._lock:
            self._offline = offline
            doomed = list(self._sockets) if offline else []
        for sock in doomed:  # keep-alive connections must not carry on as if still online
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            _wake(sock)  # its thread sees the end, and resets and closes it

    def drop_responses(self, n: int = 1) -> None:
        """Forward the next ``n`` requests but throw their answers away and close the
        connection: the server does the work, the client never hears back."""
        with self._lock:
            self._faults.extend([(DROPPED, b"")] * n)

    def replace_responses(self, raw_http: bytes, n: int = 1) -> None:
        """Answer the next ``n`` requests with ``raw_http`` (a whole HTTP response, e.g.
        ``b"HTTP/1.1 503 Service Unavailable\\r\\nContent-Length: 0\\r\\n\\r\\n"``), unforwarded."""
        raw = _with_connection_close(raw_http)
        with self._lock:
            self._faults.extend([(REPLACED, raw)] * n)

    def clear_faults(self) -> None:
        """Forget the armed faults that have not fired yet (offline stays as it is)."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    @property
    def seen(self) -> list[SeenRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._seen)

    @property
    def connections(self) -> int:
        """How many client connections were accepted (reset ones included): keep-alive
        clients reuse one for many requests."""
        with self._lock:
            return self._connections

    def clear_seen(self) -> None:
        with self._lock:
            self._seen.clear()

    # --- lifecycle

    def close(self) -> None:
        """Stop accepting, close every socket and wait for the threads (a few seconds at most)."""
        with self._lock:
            self._closed = True
        self._accepter.join(timeout=5)  # it sees _closed within 0.1 s
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
            threads = list(self._threads)
        # Each thread closes its own sockets: waking them here, rather than closing under
        # them, keeps a socket from being closed while another thread is using it.
        for sock in sockets:
            _wake(sock)
        for thread in threads:
            thread.join(timeout=5)
        for sock in sockets:  # only left open if a thread did not finish in time
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- internals

    def _track(self, sock: socket.socket) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._sockets.add(sock)
            return True

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def _accept_loop(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            with self._lock:
                offline = self._offline
                self._connections += 1
            if offline or not self._track(client):
                _reset(client)
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(IDLE_TIMEOUT)
            reader = _Reader(client)
            while not reader.at_eof():
                start, headers, head = reader.head()
                body = _body(reader, headers, until_eof=False)
                method, _, rest = start.partition(" ")
                path = rest.rpartition(" ")[0] or rest
                with self._lock:
                    if self._offline:
                        action, raw = REFUSED, b""
                    elif self._faults:
                        action, raw = self._faults.popleft()
                    else:
                        action, raw = FORWARDED, b""
                    self._seen.append(SeenRequest(method, path, tuple(headers), body, action))
                if action == REFUSED:
                    return  # _finish_client resets the connection
                if action == REPLACED:
                    client.sendall(raw)
                    return
                answer = self._forward(head + body, method)
                if answer is None or action == DROPPED:
                    return  # no answer for the client: its connection just closes
                raw_answer, keep_alive = answer
                client.sendall(raw_answer)
                if not keep_alive or _wants_close(headers):
                    return
        except (_Closed, OSError, ValueError):
            return
        finally:
            self._forget(client)
            self._finish_client(client)

    def _forward(self, request: bytes, method: str) -> tuple[bytes, bool] | None:
        """Send one request to the target on a fresh connection and read its whole answer.

        A fresh connection each time: a reused one could have been closed by the target while
        idle, and that would look like a fault nobody armed. None when the target is down.
        """
        try:
            upstream = socket.create_connection(self.target, timeout=IDLE_TIMEOUT)
        except OSError:
            return None
        if not self._track(upstream):
            upstream.close()
            return None
        try:
            upstream.sendall(request)
            return _read_answer(_Reader(upstream), method)
        except (_Closed, OSError, ValueError):
            return None
        finally:
            self._forget(upstream)
            with contextlib.suppress(OSError):
                upstream.close()

    def _finish_client(self, client: socket.socket) -> None:
        with self._lock:
            offline = self._offline
        if offline:
            _reset(client)
            return
        with contextlib.suppress(OSError):
            client.close()


def _read_answer(reader: _Reader, method: str) -> tuple[bytes, bool]:
    """A whole answer (interim 1xx answers included) and whether the client's connection may
    carry another request after it."""
    raw = bytearray()
    while True:
        start, headers, head = reader.head()
        raw += head
        status = int(start.split(" ", 2)[1])
        if status >= 200 or status == 101:
            break
    no_body = method == "HEAD" or status in (204, 304)
    framed = (
        _header(headers, "content-length") is not None
        or "chunked" in (_header(headers, "transfer-encoding") or "").lower()
    )
    if not no_body:
        raw += _body(reader, headers, until_eof=True)
    # An answer delimited by the end of the connection must end the client's connection too.
    return bytes(raw), (framed or no_body) and not _wants_close(headers)
