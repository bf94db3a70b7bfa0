"""The ``folio`` command (see DESIGN.md, "Command line"). Exit codes: 0 ok, 1 failure, 2 usage.

Each area's subcommands live in ``app.commands``; this module builds the parser from them and
dispatches to their handlers.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
from collections.abc import Callable, Sequence

from app import __version__
from app.commands.demo_commands import add_demo_parser, run_demo
from app.commands.errors import CommandError
from app.commands.hotspot_commands import add_hotspots_parser, run_hotspots
from app.commands.pdf_commands import add_convert_parser, run_convert
from app.commands.self_test import add_self_test_parser, run_self_test
from app.commands.server_commands import (
    add_accounts_parser,
    add_groups_parser,
    add_keys_parser,
    add_serve_parser,
    run_accounts,
    run_groups,
    run_keys,
    run_serve,
)
from app.commands.sync_commands import add_sync_parser, run_sync
from app.settings import Paths, resolve_paths, setup_logging

__all__ = ["CommandError", "main"]

log = logging.getLogger(__name__)

# Each subcommand's handler: it prints its result and returns the exit code, or raises
# CommandError for a failure to report on one line.
_HANDLERS: dict[str, Callable[[argparse.Namespace, Paths], int]] = {
    "serve": run_serve,
    "keys": run_keys,
    "groups": run_groups,
    "accounts": run_accounts,
    "convert": run_convert,
    "hotspots": run_hotspots,
    "sync": run_sync,
    "gui": lambda args, paths: run_gui(args, paths),
    "demo": run_demo,
    "self-test": run_self_test,
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="folio", description="Folio: publications, hotspots and their API server."
    )
    parser.add_argument("--version", action="version", version=f"folio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # The window is the default command, so its options work without "gui" too.
    _add_gui_options(parser)
    gui = sub.add_parser("gui", help="open the window (the default)")
    _add_gui_options(gui)

    # The order here is the order `folio --help` lists the commands in.
    add_serve_parser(sub)
    add_keys_parser(sub)
    add_groups_parser(sub)
    add_accounts_parser(sub)
    add_convert_parser(sub)
    add_hotspots_parser(sub)
    add_sync_parser(sub)
    add_demo_parser(sub)
    add_self_test_parser(sub)
    return parser


def _add_gui_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: set only when given, so `folio X gui` and `folio gui X` don't undo each other.
    default = argparse.SUPPRESS
    parser.add_argument("--data-dir", default=default, help="where Folio keeps its data")
    parser.add_argument(
        "--server", default=default, help="use this server instead of the embedded one"
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        default=default,
        help="render the window with the demo workspace offscreen to FILE.png and exit",
    )


def run_gui(args: argparse.Namespace, paths: Paths) -> int:
    from app.ui.launch import run_gui as launch

    return launch(paths, getattr(args, "server", None), getattr(args, "screenshot", None))


def _paths(args: argparse.Namespace) -> Paths:
    return resolve_paths(getattr(args, "data_dir", None)).ensure()


def main(argv: Sequence[str] | None = None) -> int:
    # In a frozen (PyInstaller) build, a spawned rendering process re-enters here: this hands
    # it to multiprocessing instead of running the command line again. A no-op otherwise.
    multiprocessing.freeze_support()
    parser = _build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    try:
        paths = _paths(args)
        setup_logging(paths)
        return _HANDLERS[command](args, paths)
    except CommandError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.exception("folio %s failed", command)
        print(f"folio: {command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
