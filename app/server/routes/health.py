"""``GET /health``: status and version, no key needed."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from app import __version__
from app.server.database import Database
from app.server.deps import get_db
from app.server.errors import error_response
from app.server.json_response import json_bytes

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


def _conversions_status(request: Request) -> str:
    worker = request.app.state.conversions
    if not worker.enabled:
        return "off"
    return "running" if worker.alive else "stopped"


@router.get("/health")
def health(request: Request, db: Database = Depends(get_db)) -> Response:
    try:
        with db.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        return error_response(
            503,
            {
                "status": "unavailable",
                "error": "Database unreachable",
                "code": "service_unavailable",
            },
        )
    return Response(
        json_bytes(
            {
                "status": "ok",
                "version": __version__,
                "database": "ok",
                "conversions": _conversions_status(request),
            }
        ),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
