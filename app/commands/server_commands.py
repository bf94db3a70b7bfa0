"""``folio serve``, ``keys``, ``groups`` and ``accounts``: the API server and its database."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
from typing import TYPE_CHECKING

from app.commands.errors import CommandError
from app.settings import Paths

if TYPE_CHECKING:
    from app.server.database import Database

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

log = logging.getLogger(__name__)


def _add_storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="where Folio keeps its data (default: the OS data dir)")
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL of the server database (default: SQLite in the data dir)",
    )


def add_serve_parser(sub: SubParsers) -> None:
    from app.server.config import (
        DEFAULT_HOST,
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_SOURCE_PAGES,
        DEFAULT_MAX_UPLOAD_BYTES,
        DEFAULT_PORT,
        DEFAULT_RATE_LIMIT,
    )

    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    serve.add_argument(
        "--rate-limit",
        type=int,
        default=DEFAULT_RATE_LIMIT,
        help="requests per key per minute (0: off)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="largest request body accepted",
    )
    serve.add_argument(
        "--scheduler-interval", type=float, default=5.0, help="seconds between schedule checks"
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log every request to the log file"
    )
    serve.add_argument(
        "--conversion-processes",
        type=int,
        default=None,
        help="processes rendering PDF pages (default: one per core, at most 4; 0: no conversions)",
    )
    serve.add_argument(
        "--max-upload-bytes",
        type=int,
        default=DEFAULT_MAX_UPLOAD_BYTES,
        help="largest upload or fetched source file",
    )
    serve.add_argument(
        "--max-source-pages",
        type=int,
        default=DEFAULT_MAX_SOURCE_PAGES,
        help="most pages a source PDF may have",
    )
    _add_storage_options(serve)


def add_keys_parser(sub: SubParsers) -> None:
    keys = sub.add_parser("keys", help="create, list and revoke API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = keys_sub.add_parser(
        "create", help="create a key (and the account if new); prints the key last"
    )
    create.add_argument("--account", required=True)
    create.add_argument("--name", default="", help="a label to recognise the key by")
    create.add_argument("--scope", choices=["read", "write", "admin"], default="admin")
    _add_storage_options(create)
    listing = keys_sub.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--account", help="only this account's keys")
    _add_storage_options(listing)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    _add_storage_options(revoke)


def add_groups_parser(sub: SubParsers) -> None:
    groups = sub.add_parser("groups", help="create groups")
    groups_sub = groups.add_subparsers(dest="groups_command", metavar="ACTION", required=True)
    group_create = groups_sub.add_parser("create", help="create a group (and the account if new)")
    group_create.add_argument("--account", required=True)
    group_create.add_argument("--title", required=True)
    _add_storage_options(group_create)


def add_accounts_parser(sub: SubParsers) -> None:
    accounts = sub.add_parser("accounts", help="account settings")
    accounts_sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    limit = accounts_sub.add_parser(
        "limit", help="set how many publications an account may have online"
    )
    limit.add_argument("--account", required=True)
    limit.add_argument("--online-limit", required=True, help="a number, or 'none' for unlimited")
    _add_storage_options(limit)


def _migrated_database(args: argparse.Namespace, paths: Paths) -> Database:
    """The database ``--database-url`` names (default: the data dir's), migrated to the latest
    schema."""
    from app.server.database import Database

    db = Database(args.database_url or paths.database_url)
    db.migrate()
    return db


def run_serve(args: argparse.Namespace, paths: Paths) -> int:
    """Run the API server until interrupted."""
    from app.server.config import ServerConfig, default_conversion_processes
    from app.server.serve import serve

    try:
        is_loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        is_loopback = False
    if not is_loopback:
        log.warning(
            "serving on %s: reachable from other machines; use TLS in front of it", args.host
        )
    config = ServerConfig(
        database_url=args.database_url or paths.database_url,
        data_dir=paths.data_dir,
        rate_limit=args.rate_limit,
        max_body_bytes=args.max_body_bytes,
        scheduler_interval=args.scheduler_interval,
        conversion_processes=(
            default_conversion_processes()
            if args.conversion_processes is None
            else max(0, args.conversion_processes)
        ),
        max_upload_bytes=args.max_upload_bytes,
        max_source_pages=args.max_source_pages,
        # Reachable from other machines: source URLs must not reach into our own network.
        allow_private_sources=is_loopback,
    )

    def announce(url: str) -> None:
        print(f"Folio server listening on {url}", flush=True)

    serve(config, args.host, args.port, announce=announce, access_log=args.access_log)
    return 0


def run_keys(args: argparse.Namespace, paths: Paths) -> int:
    """``keys create``, ``list`` or ``revoke``; raises CommandError for an unknown key id."""
    from sqlalchemy import select

    from app.core.enums import KeyScope
    from app.server.accounts import create_key, ensure_account, revoke_key
    from app.server.models import Account, ApiKey

    db = _migrated_database(args, paths)
    if args.keys_command == "create":
        with db.write() as session:
            account = ensure_account(session, args.account)
            row, secret = create_key(session, account.id, args.name, KeyScope(args.scope))
            key_id, prefix = row.id, row.prefix
        print(f"Created key {key_id} ({args.scope}) for account {args.account!r}, prefix {prefix}.")
        print("Store it now: it is shown only once.")
        print(secret)
        return 0
    if args.keys_command == "list":
        with db.read() as session:
            query = (
                select(ApiKey, Account.name)
                .join(Account, Account.id == ApiKey.account_id)
                .order_by(ApiKey.id)
            )
            if args.account:
                query = query.where(Account.name == args.account)
            rows = session.execute(query).all()
        print(
            f"{'ID':>4}  {'ACCOUNT':<16} {'NAME':<20} {'SCOPE':<6} {'PREFIX':<15} {'LAST USED':<20} STATUS"
        )
        for key, account_name in rows:
            last_used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never"
            status = "revoked" if key.revoked_at else "active"
            print(
                f"{key.id:>4}  {account_name:<16} {key.name:<20} {key.scope:<6} {key.prefix:<15} {last_used:<20} {status}"
            )
        return 0
    with db.write() as session:
        if not revoke_key(session, args.id):
            raise CommandError(f"no active key with id {args.id}")
    print(f"Revoked key {args.id}.")
    return 0


def run_groups(args: argparse.Namespace, paths: Paths) -> int:
    """``groups create``: print the new group as JSON; raises CommandError for a blank title."""
    from app.server.accounts import ensure_account
    from app.server.config import DEFAULT_HOST, DEFAULT_PORT
    from app.server.group_service import create_group
    from app.server.presenters import absolutize

    db = _migrated_database(args, paths)
    title = args.title.strip()
    if not title:
        raise CommandError("the group title can't be blank")
    with db.write() as session:
        account = ensure_account(session, args.account)
        data = create_group(session, account.id, title)
    print(
        json.dumps({"group": absolutize(data, f"http://{DEFAULT_HOST}:{DEFAULT_PORT}")}, indent=2)
    )
    return 0


def run_accounts(args: argparse.Namespace, paths: Paths) -> int:
    """``accounts limit``; raises CommandError for a bad limit or an unknown account."""
    from app.server.accounts import find_account

    raw = args.online_limit.strip().lower()
    if raw in ("none", "unlimited"):
        limit = None
    elif raw.isdigit():
        limit = int(raw)
    else:
        raise CommandError("--online-limit must be a number or 'none'")
    db = _migrated_database(args, paths)
    with db.write() as session:
        account = find_account(session, args.account)
        if account is None:
            raise CommandError(f"no account named {args.account!r}")
        account.online_limit = limit
    print(f"Account {args.account!r}: online limit {'unlimited' if limit is None else limit}.")
    return 0
