"""The server inside the desktop app: on a free loopback port in a background thread, with
a short-lived admin key that lives in memory only and is revoked when it stops."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import TracebackType

import uvicorn
from sqlalchemy import select

from app.core.enums import KeyScope
from app.core.timestamps import utc_now
from app.server.accounts import create_key, ensure_account, revoke_key
from app.server.app_factory import create_app
from app.server.config import ServerConfig
from app.server.database import Database
from app.server.group_service import create_group
from app.server.models import ApiKey, Group
from app.server.serve import bind_socket

log = logging.getLogger(__name__)

LOCAL_ACCOUNT = "local"
FIRST_GROUP_TITLE = "My catalogues"
START_TIMEOUT = 30.0


class EmbeddedServer:
    """``with EmbeddedServer(config) as server:`` gives ``server.url`` and ``server.key``."""

    def __init__(
        self,
        config: ServerConfig,
        key_name: str = "desktop session",
        key_lifetime: timedelta | None = None,
    ) -> None:
        self.config = config
        self.key_name = key_name
        self.key_lifetime = key_lifetime
        self.url = ""
        self.key = ""
        self._key_id: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmbeddedServer:
        db = Database(self.config.database_url)
        try:
            db.migrate()
            with db.write() as session:
                account = ensure_account(session, LOCAL_ACCOUNT)
                if session.scalar(select(Group.id).where(Group.account_id == account.id)) is None:
                    create_group(session, account.id, FIRST_GROUP_TITLE)
                # A run that was killed could not revoke its key: do it for it now.
                stale = select(ApiKey.id).where(
                    ApiKey.account_id == account.id,
                    ApiKey.name == self.key_name,
                    ApiKey.revoked_at.is_(None),
                )
                for key_id in list(session.scalars(stale)):
                    revoke_key(session, key_id)
                expires = utc_now() + self.key_lifetime if self.key_lifetime else None
                row, self.key = create_key(
                    session, account.id, self.key_name, KeyScope.ADMIN, expires
                )
                self._key_id = row.id
        finally:
            db.dispose()
        try:
            return self._serve()
        except BaseException:
            self.stop()
            raise

    def _serve(self) -> EmbeddedServer:
        app = create_app(self.config)
        sock = bind_socket("127.0.0.1", 0)
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        server = uvicorn.Server(
            uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="folio-embedded-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The embedded server did not start; see the log file")
            time.sleep(0.01)
        log.info("embedded server on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        if self._key_id is not None:
            db = Database(self.config.database_url)
            try:
                with db.write() as session:
                    revoke_key(session, self._key_id)
            finally:
                db.dispose()
            self._key_id = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


def embedded_config(data_dir: Path, database_url: str) -> ServerConfig:
    return ServerConfig(database_url=database_url, data_dir=data_dir)
