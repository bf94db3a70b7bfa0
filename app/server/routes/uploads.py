"""Uploads (ext): send a PDF or feed file to the server; its ``source_url`` is accepted wherever
a source_url is. Files are streamed to disk, never held whole in memory."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response

from app.core.timestamps import format_datetime, utc_now
from app.server.accounts import Principal
from app.server.config import ServerConfig
from app.server.database import Database
from app.server.deps import base_url, get_db, reader, writer
from app.server.errors import ApiError, not_found
from app.server.file_store import FileStore
from app.server.json_response import json_bytes
from app.server.models import Upload
from app.server.routes import Id

router = APIRouter(tags=["uploads"])

CHUNK = 1024 * 1024
SUFFIXES = {
    "application/pdf": ".pdf",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
}
_NAME_SUFFIX = re.compile(r"\.([a-z0-9]{1,5})$")


def _suffix(filename: str | None, content_type: str | None, head: bytes) -> str:
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return ".pdf"
    if filename:
        match = _NAME_SUFFIX.search(filename.lower())
        if match:
            return "." + match.group(1)
    return SUFFIXES.get((content_type or "").split(";")[0].strip().lower(), ".bin")


def _upload_data(upload: Upload, base: str) -> dict[str, object]:
    return {
        "id": upload.id,
        "source_url": f"{base}/v2/uploads/{upload.id}",
        "size": upload.size,
        "sha256": upload.sha256,
        "filename": upload.original_name,
        "content_type": upload.content_type,
        "created_at": format_datetime(upload.created_at),
    }


class _Spool:
    """Writes chunks to a scratch file, hashing and counting, refusing past the limit."""

    def __init__(self, directory: Path, limit: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"upload-{secrets.token_hex(8)}.part"
        self.limit = limit
        self.size = 0
        self.head = b""
        self.digest = hashlib.sha256()
        self._file = self.path.open("wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ApiError(
                413,
                f"The file is larger than the {self.limit // (1024 * 1024)} MB upload limit",
                "payload_too_large",
            )
        if len(self.head) < 1024:
            self.head += chunk[: 1024 - len(self.head)]
        self.digest.update(chunk)
        self._file.write(chunk)

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


@router.post("/v2/uploads", status_code=201)
async def create_upload(request: Request, principal: Principal = Depends(writer)) -> Response:
    """A multipart form with a ``file`` field, or the file itself as the request body."""
    config: ServerConfig = request.app.state.config
    db: Database = request.app.state.db
    store: FileStore = request.app.state.files
    content_type = request.headers.get("content-type", "")
    spool = _Spool(config.work_dir, config.max_upload_bytes)
    filename: str | None = None
    try:
        if content_type.lower().startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=5)
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise ApiError(
                    422 if form else 400,
                    "Send the file in a multipart field named 'file'",
                    "validation_failed",
                )
            filename = file.filename
            content_type = file.content_type or ""
            while chunk := await file.read(CHUNK):
                spool.write(chunk)
            await form.close()
        else:
            async for chunk in request.stream():
                if chunk:
                    spool.write(chunk)
        spool.close()
        if spool.size == 0:
            raise ApiError(400, "The upload is empty", "bad_request")
    except BaseException:
        spool.discard()
        raise
    suffix = _suffix(filename, content_type, spool.head)
    # Hashing a large file and waiting for the database's write lock would stall every
    # other request on the event loop: both run in the threadpool.
    body = await run_in_threadpool(
        _store_upload,
        db,
        store,
        spool,
        suffix,
        principal.account_id,
        filename,
        content_type,
        base_url(request),
    )
    return Response(
        content=json_bytes(body),
        status_code=201,
        media_type="application/json",
        headers={"Location": body["upload"]["source_url"]},  # type: ignore[index]
    )


def _store_upload(
    db: Database,
    store: FileStore,
    spool: _Spool,
    suffix: str,
    account_id: int,
    filename: str | None,
    content_type: str,
    base: str,
) -> dict[str, Any]:
    name = store.put_file(spool.path, suffix, move=True)
    with db.write() as session:
        upload = Upload(
            account_id=account_id,
            file_name=name,
            original_name=os.path.basename(filename)[:255] if filename else None,
            content_type=content_type.split(";")[0].strip()[:100] or None,
            size=spool.size,
            sha256=spool.digest.hexdigest(),
            created_at=utc_now(),
        )
        session.add(upload)
        session.flush()
        return {"upload": _upload_data(upload, base)}


@router.get("/v2/uploads/{upload_id}")
def get_upload_file(
    request: Request,
    upload_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    """The uploaded file itself (to its own account only)."""
    with db.read() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.account_id != principal.account_id:
            raise not_found("Upload")
        name, content_type = upload.file_name, upload.content_type
    store: FileStore = request.app.state.files
    try:
        path = store.path_of(name)
    except KeyError:
        raise not_found("Upload") from None
    return FileResponse(path, media_type=content_type or "application/octet-stream")
