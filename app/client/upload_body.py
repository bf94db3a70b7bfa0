"""A multipart/form-data upload body streamed from a file on disk."""

from __future__ import annotations

import uuid
from pathlib import Path

CHUNK = 1024 * 1024


class MultipartFileBody:
    """A multipart/form-data body with one file field, read from disk as it is sent.

    requests would build a ``files=`` body whole in memory; this is a file-like object with a
    known length, so it goes out in chunks with a Content-Length. The transport seeks it back
    to 0 before a retry. The file must not change while it is sent.
    """

    def __init__(self, path: Path, field: str, content_type: str) -> None:
        boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={boundary}"
        # Quotes and line breaks would end the header early: they can't be in the name.
        filename = path.name.replace('"', "'").replace("\r", " ").replace("\n", " ")
        self._head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._file_size = path.stat().st_size
        self._file = path.open("rb")
        self._length = len(self._head) + self._file_size + len(self._tail)
        self._position = 0

    def __len__(self) -> int:
        return self._length

    def __enter__(self) -> MultipartFileBody:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._file.close()

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self._length}[whence]
        self._position = max(0, min(self._length, base + offset))
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        left = self._length - self._position
        wanted = left if size is None or size < 0 else min(size, left)
        out = bytearray()
        file_end = len(self._head) + self._file_size
        while len(out) < wanted:
            position, need = self._position, wanted - len(out)
            if position < len(self._head):
                chunk = self._head[position : position + need]
            elif position < file_end:
                self._file.seek(position - len(self._head))
                chunk = self._file.read(min(need, file_end - position, CHUNK))
                if not chunk:
                    raise OSError(f"{self._file.name} became shorter while it was being sent")
            else:
                chunk = self._tail[position - file_end : position - file_end + need]
            out += chunk
            self._position += len(chunk)
        return bytes(out)
