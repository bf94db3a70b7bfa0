"""Stored files (page images, thumbnails, publication PDFs) at the URLs the API hands out.

Names are content hashes, so a file never changes under its URL: caches may keep it forever.
No key is needed, as for the platform's page images: the public reader shows them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from app.server.errors import not_found
from app.server.file_store import FileStore

router = APIRouter(tags=["files"], include_in_schema=False)

MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}


@router.get("/files/{name}")
def get_file(request: Request, name: str) -> Response:
    store: FileStore = request.app.state.files
    try:
        path = store.path_of(name)
    except KeyError:
        raise not_found("File") from None
    suffix = path.suffix.lower()
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
