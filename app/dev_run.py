"""``make run`` until the window lands: the bundled server on the user's data dir, with a
fresh admin key printed for curl. The key is revoked when the server stops."""

from __future__ import annotations

import os
import sys

from sqlalchemy import select

from app.core.enums import KeyScope
from app.server.accounts import create_key, ensure_account, revoke_key
from app.server.config import DEFAULT_HOST, DEFAULT_PORT, ServerConfig
from app.server.database import Database
from app.server.group_service import create_group
from app.server.models import Group
from app.server.serve import serve
from app.settings import resolve_paths, setup_logging

ACCOUNT = "local"


def main() -> int:
    paths = resolve_paths().ensure()
    setup_logging(paths)
    db = Database(paths.database_url)
    db.migrate()
    with db.write() as session:
        account = ensure_account(session, ACCOUNT)
        if session.scalar(select(Group.id).where(Group.account_id == account.id)) is None:
            create_group(session, account.id, "My catalogues")
        row, secret = create_key(session, account.id, "make run", KeyScope.ADMIN)
        key_id = row.id
    port = int(os.environ.get("FOLIO_PORT", DEFAULT_PORT))

    def announce(url: str) -> None:
        print(
            f"\nFolio server: {url}   (data: {paths.data_dir})\n"
            f"Admin key for this session (revoked when you stop the server):\n\n    {secret}\n\n"
            f"Try:\n    curl {url}/v2/groups -H 'Authorization: ApiKey {secret}'\n"
            f"API description: {url}/openapi.json   Stop with Ctrl+C.\n",
            flush=True,
        )

    try:
        serve(
            ServerConfig(database_url=paths.database_url, data_dir=paths.data_dir),
            DEFAULT_HOST,
            port,
            announce=announce,
        )
    finally:
        with db.write() as session:
            revoke_key(session, key_id)
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
