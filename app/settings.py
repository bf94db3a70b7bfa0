"""Where Folio keeps its files, and how it logs.

Data, cache and log directories come from platformdirs; ``--data-dir`` or
``FOLIO_DATA_DIR`` moves all three under one directory (tests and portable installs).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "folio"
DATA_DIR_ENV = "FOLIO_DATA_DIR"
LOG_FILE_NAME = "folio.log"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def database_file(self) -> Path:
        return self.data_dir / "folio-server.sqlite3"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_file}"

    def ensure(self) -> Paths:
        for directory in (self.data_dir, self.cache_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    """The directories to use: an explicit ``data_dir``, else FOLIO_DATA_DIR, else the OS default."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Paths(data_dir=root, cache_dir=root / "cache", log_dir=root / "logs")
    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


class _OneLineFormatter(logging.Formatter):
    """Console lines without tracebacks: those go to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        return f"folio: {record.levelname.lower()}: {record.getMessage()}"


def setup_logging(paths: Paths, level: int = logging.INFO) -> None:
    """Log to a rotating file in the log dir (and warnings to stderr).

    Safe to call more than once: a second call replaces Folio's handlers.
    """
    paths.ensure()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_folio", False):
            root.removeHandler(handler)
    file_handler = logging.handlers.RotatingFileHandler(
        paths.log_dir / LOG_FILE_NAME, maxBytes=5_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file_handler._folio = True  # type: ignore[attr-defined]
    console = logging.StreamHandler()
    # Errors reach the user through the CLI's own one-line message.
    console.setLevel(logging.WARNING)
    console.addFilter(lambda record: record.levelno < logging.ERROR)
    console.setFormatter(_OneLineFormatter())
    console._folio = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    root.addHandler(console)
    root.setLevel(level)
