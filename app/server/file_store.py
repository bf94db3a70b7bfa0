"""A content-addressed file store in the data directory.

A stored file's name is ``<sha256 hex><suffix>`` (for example ``ab12...ef.jpg``), kept at
``root/ab/12/<name>`` so no single directory grows huge. Equal content is stored once, a name
always means the same bytes, and writes are atomic: a reader sees a whole file or none.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,5}")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
_FAN_OUT = re.compile(r"[0-9a-f]{2}")


class FileStore:
    """Files named by their SHA-256 under ``root`` (created on first write). Safe to share
    between threads and processes: every write goes through a temp file and ``os.replace``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put_bytes(self, data: bytes, suffix: str) -> str:
        """Store ``data`` and return its name. Storing the same bytes again is a no-op.

        Raises ValueError when ``suffix`` is not "." and 1 to 5 lowercase letters or digits."""
        _check_suffix(suffix)
        name = hashlib.sha256(data).hexdigest() + suffix
        target = self._location(name)
        if target.exists():
            return name
        temp_path = self._temp_file_beside(target)
        try:
            with temp_path.open("wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_path, target)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        logger.debug("stored %s (%d bytes)", name, len(data))
        return name

    def put_file(self, path: Path, suffix: str, *, move: bool = False) -> str:
        """Store the file at ``path`` and return its name. With ``move`` the source file is
        gone afterwards (renamed into the store on the same filesystem, else copied and deleted);
        without it the source is left alone. The file must not change while it is stored.

        Raises ValueError for a bad ``suffix`` (see ``put_bytes``), OSError when ``path`` can't
        be read."""
        _check_suffix(suffix)
        name = _file_sha256(path) + suffix
        target = self._location(name)
        if target.exists():
            # Storing a file that is already the stored copy must not delete it.
            if move and not target.samefile(path):
                path.unlink()
            return name
        if move:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(path, target)
                logger.debug("moved %s into the store as %s", path, name)
                return name
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
        temp_path = self._temp_file_beside(target)
        try:
            with path.open("rb") as source, temp_path.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK_SIZE)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_path, target)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        if move:
            path.unlink()
        logger.debug("copied %s into the store as %s", path, name)
        return name

    def path_of(self, name: str) -> Path:
        """The path of a stored file. Raises KeyError when ``name`` is not a valid stored name
        or no such file is stored."""
        path = self._location(name)
        if not path.is_file():
            raise KeyError(name)
        return path

    def exists(self, name: str) -> bool:
        """Whether ``name`` is stored; False for a name that is not valid."""
        try:
            self.path_of(name)
        except KeyError:
            return False
        return True

    def delete(self, name: str) -> None:
        """Remove a stored file; a name that isn't stored is fine. Raises KeyError when ``name``
        is not a valid stored name (a caller bug, so it is not ignored)."""
        self._location(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        """Every stored name, in no particular order (for garbage collection). Temp files of
        writes in progress are not listed."""
        if not self.root.is_dir():
            return
        for first in self.root.iterdir():
            if not (first.is_dir() and _FAN_OUT.fullmatch(first.name)):
                continue
            for second in first.iterdir():
                if not (second.is_dir() and _FAN_OUT.fullmatch(second.name)):
                    continue
                for entry in second.iterdir():
                    if _NAME.fullmatch(entry.name) and entry.is_file():
                        yield entry.name

    def _location(self, name: str) -> Path:
        # The strict pattern is what keeps a name from escaping root ("..", "/", "\\" can't match).
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise KeyError(name)
        return self.root / name[0:2] / name[2:4] / name

    def _temp_file_beside(self, target: Path) -> Path:
        # In the target's own directory so os.replace never crosses a filesystem; the leading
        # dot and ".tmp" keep it from ever matching a stored name.
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        os.close(fd)
        return Path(temp_name)


def _check_suffix(suffix: str) -> None:
    if not isinstance(suffix, str) or not _SUFFIX.fullmatch(suffix):
        raise ValueError(f"Not a valid file suffix: {suffix!r}")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
