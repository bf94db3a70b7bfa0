"""``folio sync``: bring the local library up to date with a server, pushing local edits."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
from typing import TYPE_CHECKING

from app.commands.errors import CommandError
from app.settings import Paths

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

SERVER_URL_ENV = "FOLIO_SERVER_URL"


def add_sync_parser(sub: SubParsers) -> None:
    sync = sub.add_parser(
        "sync",
        help="sync the local library with a server (push local edits, pull changes)",
        description=(
            "Without --server (or FOLIO_SERVER_URL), syncs with the embedded server on this "
            "machine's data dir. The key comes from FOLIO_API_KEY or the system keyring; in a "
            "terminal Folio asks for it once and keeps it in the keyring."
        ),
    )
    sync.add_argument("--server", help="base URL of the server (default: the embedded server)")
    sync.add_argument("--data-dir", help="where Folio keeps its data (default: the OS data dir)")


class _ProgressPrinter:
    """Progress on stderr: one updating line in a terminal, a line a second otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total == 0:
            return
        now = time.monotonic()
        final = done >= total
        if phase == self.phase and not final and now - self.last < (0.1 if self.tty else 1.0):
            return
        self.phase, self.last = phase, now
        label = {"push": "sending local changes", "pull": "receiving changes"}.get(phase, phase)
        text = f"{label}: {done}/{total}"
        if self.tty:
            print(f"\r{text:<60}", end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)


def _remote_key(url: str) -> str:
    from app.mirror.credentials import CredentialStoreError, load_key, save_key

    try:
        key = load_key(url)
    except CredentialStoreError as exc:
        raise CommandError(str(exc)) from None
    if key:
        return key
    if not sys.stdin.isatty():
        raise CommandError(
            f"no API key for {url}: set FOLIO_API_KEY, or run `folio sync --server {url}` "
            "in a terminal to enter it once (it is kept in the system keyring)"
        )
    key = getpass.getpass(f"API key for {url} (input hidden): ").strip()
    if not key:
        raise CommandError("no API key entered")
    try:
        save_key(url, key)
    except CredentialStoreError as exc:
        print(f"folio: the key is used for this sync only: {exc}", file=sys.stderr)
    return key


def run_sync(args: argparse.Namespace, paths: Paths) -> int:
    from app.client.transport import ApiSession
    from app.mirror.library import Library
    from app.mirror.store import MirrorError, mirror_file
    from app.mirror.sync import SyncStatus

    url = args.server or os.environ.get(SERVER_URL_ENV) or None
    with ExitStack() as stack:
        if url is None:
            from app.server.embedded import EmbeddedServer, embedded_config

            server = stack.enter_context(
                EmbeddedServer(
                    embedded_config(paths.data_dir, paths.database_url),
                    "folio sync",
                    key_lifetime=timedelta(hours=1),
                )
            )
            base, key = server.url, server.key
        else:
            base, key = url.rstrip("/"), _remote_key(url)
        try:
            library = stack.enter_context(
                Library.open(mirror_file(paths.data_dir / "mirrors", url))
            )
            api = ApiSession(base, key)
            stack.callback(api.close)
            report = library.sync(api, progress=_ProgressPrinter())
        except MirrorError as exc:
            raise CommandError(str(exc)) from None
    where = url or "the embedded server"
    summary = (
        f"synced with {where} in {report.seconds:.2f} s: sent {report.pushed}, "
        f"received {report.pulled}{' (full pull)' if report.full_pull else ''}, "
        f"conflicts {report.open_conflicts}, failed {report.failed}, pending {report.pending}"
    )
    if report.status is not SyncStatus.OK:
        raise CommandError(f"sync {report.status.value.replace('_', ' ')}: {report.message}")
    print(summary)
    return 0
