"""Run the server with uvicorn on a socket we bind ourselves, so port 0 works and the
real address can be announced before the first request (tests and the desktop rely on it).
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable

import uvicorn

from app.server.app_factory import create_app
from app.server.config import ServerConfig

log = logging.getLogger(__name__)


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def serve(
    config: ServerConfig,
    host: str,
    port: int,
    *,
    announce: Callable[[str], None] | None = None,
    access_log: bool = False,
) -> None:
    """Serve until interrupted. ``announce`` receives the base URL once the socket is bound."""
    app = create_app(config)
    sock = bind_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{shown_host}:{bound_port}"
    log.info("serving on %s (database %s)", url, config.database_url.split("://", 1)[0])
    if announce is not None:
        announce(url)
    # log_config=None: our logging setup owns the handlers (a windowed build has no stdout).
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_config=None, access_log=access_log, lifespan="on", timeout_graceful_shutdown=5
        )
    )
    if threading.current_thread() is threading.main_thread():
        # uvicorn re-raises SIGTERM after its graceful shutdown; make that a normal exit so
        # callers' cleanup (revoking a session key, closing the database) still runs.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.state.db.dispose()
        if sys.stdout is not None:
            sys.stdout.flush()
