"""One sync at a time per library, across threads and processes (the window's timer, its
"Sync now" button and a ``folio sync`` in a terminal): two pushes of one outbox would send
the same entries twice."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from app.mirror.store import MirrorError, MirrorReadOnlyError


class SyncBusyError(MirrorError):
    """Another sync of the same library is running."""


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            # flock locks belong to the open file, so a second open in this process (another
            # thread's sync) is refused just like another process.
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    with suppress(OSError):
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def sync_lock(mirror_path: Path) -> Iterator[None]:
    """Hold the library's sync lock, or raise SyncBusyError at once."""
    lock_path = mirror_path.with_name(mirror_path.name + ".sync-lock")
    try:
        handle = lock_path.open("a+b")
    except OSError as exc:
        raise MirrorReadOnlyError(
            f"The local library {mirror_path} can't be written (read-only file or folder: "
            f"{exc.strerror}); check its permissions or choose another data folder"
        ) from None
    try:
        if not _try_lock(handle):
            raise SyncBusyError("Another sync of this library is running; try again when it ends")
        try:
            yield
        finally:
            _unlock(handle)
    finally:
        handle.close()
