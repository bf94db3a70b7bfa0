"""The one error a ``folio`` subcommand raises to fail cleanly."""

from __future__ import annotations


class CommandError(Exception):
    """A failure to report on one line of stderr, exit code 1."""
