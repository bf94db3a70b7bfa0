"""``folio demo``: fill the embedded server's data with a sample workspace."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.commands.errors import CommandError
from app.settings import Paths

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_demo_parser(sub: SubParsers) -> None:
    demo = sub.add_parser(
        "demo",
        help="fill the embedded server's data with sample groups, publications and hotspots",
        description=(
            "Creates two demo groups in the embedded server's database (account 'local'): "
            "catalogues and magazines converted from generated PDFs, with hotspots, metatags, "
            "collections and a product catalogue. Running it again adds only what is missing."
        ),
    )
    # SUPPRESS: without it, this default would replace a --data-dir given before "demo".
    demo.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="where Folio keeps its data (default: the OS data dir)",
    )


def run_demo(args: argparse.Namespace, paths: Paths) -> int:
    """Print a one-line summary; raises CommandError when the demo can't be created."""
    from app.core.errors import FolioError
    from app.server.demo import create_demo

    try:
        summary = create_demo(paths.database_url, paths.data_dir)
    except FolioError as exc:
        raise CommandError(str(exc)) from None
    contents = (
        f"{summary.groups} groups, {summary.publications} publications "
        f"({summary.pages} pages, {summary.hotspots} hotspots), {summary.products} products"
    )
    if summary.created:
        print(f"Demo workspace created in {summary.seconds:.1f} s: {contents}.")
        print(f"Sample PDFs and product feed: {summary.files_dir}")
    else:
        print(f"The demo workspace is already there: {contents}.")
    return 0
