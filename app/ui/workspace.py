"""The library the window shows and the server it talks to.

By default that is the embedded server on this machine's data dir: started in a worker on a
free loopback port, with an admin key minted for this session, kept in memory and revoked
at exit (DESIGN.md, "Credentials"). Another server's key comes from FOLIO_API_KEY or the
keyring. The library opens at once from the mirror file, so the window works before (and
without) the server.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.client.api import FolioApi
from app.client.transport import RetryPolicy
from app.core.errors import FolioError
from app.mirror.library import Library
from app.mirror.store import mirror_file
from app.settings import Paths
from app.ui.tasks import TaskContext, TaskRunner

log = logging.getLogger(__name__)

# A user waiting on a button gets an answer within seconds; the next sync retries later.
WINDOW_RETRY = RetryPolicy(attempts=3, base_delay=0.25, max_delay=2.0, max_retry_after=10.0)


@dataclass(frozen=True)
class Connection:
    """Where requests go. ``key`` never reaches a log, a title bar or an error message."""

    url: str
    key: str = ""
    embedded: bool = True

    def __repr__(self) -> str:
        return f"Connection({self.url!r}, embedded={self.embedded})"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside; what was made meanwhile is frozen after."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class KeyMissingError(FolioError):
    """No key for a remote server; the message says where to give one."""


class NotConnectedError(FolioError):
    """The server was not reached (yet); the message says why when that is known."""


def missing_key_message(server_url: str, keyring_usable: bool) -> str:
    """What to do when there is no key for ``server_url``: Settings (the key goes to the
    keyring) or FOLIO_API_KEY; without a usable keyring, how to get one."""
    # Imported here, as in ``Workspace._connect``: importing keyring costs the window's start.
    from app.mirror.credentials import API_KEY_ENV, NO_KEYRING_MESSAGE

    if not keyring_usable:
        return f"No API key for {server_url}. {NO_KEYRING_MESSAGE}"
    return (
        f"No API key for {server_url}. Enter one in Settings (it is kept in the system "
        f"keyring), or set it in the {API_KEY_ENV} environment variable."
    )


class Workspace(QObject):
    """One library and its server. ``connected`` fires once the server can be reached."""

    connected = Signal()
    connection_failed = Signal(str)
    # A local edit landed in the library (a ChangeSet, or None when unknown): views refresh
    # and a sync is scheduled to send it.
    changed = Signal(object)
    # [(entity type, temporary id, server id)] after a sync: open editors follow the swap.
    adopted = Signal(object)

    def __init__(self, paths: Paths, server_url: str | None, runner: TaskRunner) -> None:
        super().__init__()
        self.paths = paths
        self.server_url = server_url.rstrip("/") if server_url else None
        self.runner = runner
        self.library = Library.open(mirror_file(paths.data_dir / "mirrors", self.server_url))
        self.connection: Connection | None = None
        self.connection_error: str | None = None
        self._embedded: Any = None
        self._local = threading.local()
        self._generation = 0

    @property
    def embedded(self) -> bool:
        return self.server_url is None

    @property
    def server_label(self) -> str:
        return "this computer" if self.embedded else str(self.server_url)

    # --- connecting ----------------------------------------------------------------------

    def connect_server(self) -> None:
        """Start the embedded server, or find the remote server's key, in a worker."""
        self.connection_error = None
        self.runner.run(
            self._connect,
            name="connect",
            on_done=self._connected,
            on_error=self._connect_failed,
        )

    def use_connection(self, connection: Connection) -> None:
        """Talk to a server whose URL and key are known already (tests, benchmarks)."""
        self._connected(connection)

    def _connect(self, _context: TaskContext) -> Connection:
        if self.server_url is None:
            # Imported here: FastAPI and uvicorn take over a second to import, and the
            # window should be on screen before that. The collector waits meanwhile: a
            # full collection over the half-imported modules would stall the window too.
            with _collector_paused():
                from app.server.embedded import EmbeddedServer, embedded_config

            server = EmbeddedServer(embedded_config(self.paths.data_dir, self.paths.database_url))
            server.start()
            self._embedded = server
            return Connection(server.url, server.key, embedded=True)
        # Imported here: the keyring may look for its backends (and talk to D-Bus).
        from app.mirror.credentials import keyring_available, load_key

        key = load_key(self.server_url)
        if not key:
            raise KeyMissingError(missing_key_message(self.server_url, keyring_available()))
        return Connection(self.server_url, key, embedded=False)

    def _connected(self, connection: Connection) -> None:
        # The embedded server's modules were imported just now, in the connect worker:
        # kept out of full collections too (see MainWindow.start).
        gc.freeze()
        self.connection = connection
        self._generation += 1
        log.info("connected to %s", connection.url)
        self.connected.emit()

    def _connect_failed(self, exc: BaseException) -> None:
        from app.ui.messages import describe

        self.connection_error = describe(exc)
        self.connection_failed.emit(self.connection_error)

    # --- talking to the server (from worker threads) --------------------------------------

    def api(self) -> FolioApi:
        """This thread's API client for the current connection (sessions aren't shared
        between threads)."""
        if self.connection is None:
            raise NotConnectedError(self.connection_error or "Not connected to the server yet")
        cached = getattr(self._local, "api", None)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        if cached is not None:
            cached[1].close()
        api = FolioApi.connect(self.connection.url, self.connection.key, retry=WINDOW_RETRY)
        self._local.api = (self._generation, api)
        return api

    # --- shutting down ---------------------------------------------------------------------

    def close(self) -> None:
        """Stop the embedded server (revoking its key) and close the library."""
        server, self._embedded = self._embedded, None
        if server is not None:
            server.stop()
        self.library.close()
