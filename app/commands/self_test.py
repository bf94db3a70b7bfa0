"""``folio self-test``: proves an install works, part by part, without touching the user's
data: Qt (a widget drawn offscreen), PyMuPDF (a page drawn), SQLite and every migration, the
server (started on a free loopback port with a new key: /health and a publication stored and
read back) and the keyring. Prints a line per part; exit 0 when every part works, else 1
with the failing parts named."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.settings import Paths

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

Check = Callable[[Path], str]


def add_self_test_parser(sub: SubParsers) -> None:
    sub.add_parser(
        "self-test",
        help="check that Qt, PyMuPDF, SQLite, the server and the keyring work in this install",
        description=(
            "Checks each part of this install in a temporary directory (your data is not "
            "touched) and prints one line per part. Exit 0 when all work, 1 otherwise."
        ),
    )


def check_qt(_directory: Path) -> str:
    from app.ui.self_check import check_qt as draw_widget

    return draw_widget()


def check_pdf(_directory: Path) -> str:
    from app.pdf.self_check import check_rendering

    return check_rendering()


def check_database(directory: Path) -> str:
    from app.server.self_check import check_database as migrate

    return migrate(directory)


def check_server(directory: Path) -> str:
    from app.client.api import FolioApi
    from app.pdf.self_check import sample_pdf
    from app.server.self_check import start_server

    server = start_server(directory)
    try:
        with FolioApi.connect(server.url, server.key) as api:
            health = api.health()
            group = api.list_groups()[0]
            upload = api.upload_bytes(sample_pdf(), "self-test.pdf")
            created = api.create_publication(group["id"], "Self-test", upload["source_url"])
            publication = created.data
            read = api.get_publication(group["id"], publication["id"]).data
            if read.get("title") != "Self-test":
                raise RuntimeError("the publication read back differs from the one stored")
            api.archive_publication(group["id"], publication["id"])
    finally:
        server.stop()
    return (
        f"server {health.get('version', '?')} on a free loopback port: /health "
        f"{health.get('status', '?')}, a publication stored, read back and archived"
    )


def check_keyring(_directory: Path) -> str:
    import keyring

    from app.mirror.credentials import keyring_available

    backend = type(keyring.get_keyring())
    backend_name = f"{backend.__module__}.{backend.__name__}"
    if keyring_available():
        return f"keyring: {backend_name} stores API keys for other servers"
    # A server install has no desktop keyring, and needs none: keys come from FOLIO_API_KEY.
    return f"keyring: none usable ({backend_name}); keys for other servers must come from FOLIO_API_KEY"


CHECKS: list[tuple[str, Check]] = [
    ("Qt", check_qt),
    ("PyMuPDF", check_pdf),
    ("SQLite and migrations", check_database),
    ("server", check_server),
    ("keyring", check_keyring),
]


def run_self_test(_args: argparse.Namespace, _paths: Paths) -> int:
    failed = []
    with tempfile.TemporaryDirectory(prefix="folio-self-test-") as temporary:
        for name, check in CHECKS:
            directory = Path(temporary) / name.split()[0].lower()
            directory.mkdir()
            started = time.perf_counter()
            try:
                detail = check(directory)
            except Exception as error:  # every failure is reported, named by its part
                failed.append(name)
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                print(f"FAIL  {name}: {reason}", flush=True)
                continue
            print(f"ok    {detail} ({(time.perf_counter() - started) * 1000:.0f} ms)", flush=True)
    if failed:
        print(f"self-test failed: {', '.join(failed)}", flush=True)
        return 1
    print("self-test passed", flush=True)
    return 0
