"""The public reader pages that ``public_url`` points at (no key: these are public)."""

from __future__ import annotations

import html

from fastapi import APIRouter, Depends
from sqlalchemy import select
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.core.enums import PublicationState
from app.server.database import Database
from app.server.deps import get_db
from app.server.models import Group, Publication

router = APIRouter(tags=["public"], include_in_schema=False)

_NOT_FOUND = "<!doctype html><title>Not found</title><p>This publication is not available.</p>"


def _online(group_id: int):  # type: ignore[no-untyped-def]
    return select(Publication).where(
        Publication.group_id == group_id,
        Publication.archived.is_(False),
        Publication.state == PublicationState.ONLINE.value,
    )


@router.get("/view/{group_slug}")
def view_group(group_slug: str, db: Database = Depends(get_db)) -> Response:
    """Redirects to the group's most recently published listed publication."""
    with db.read() as session:
        group = session.scalar(select(Group).where(Group.slug == group_slug))
        latest = None
        if group is not None:
            latest = session.scalar(
                _online(group.id)
                .where(Publication.disable_seo.is_(False))
                .order_by(Publication.online_at.desc(), Publication.id.desc())
            )
        if group is None or latest is None:
            return HTMLResponse(_NOT_FOUND, status_code=404)
        return RedirectResponse(f"/view/{group.slug}/{latest.slug}", status_code=302)


@router.get("/view/{group_slug}/{publication_slug}")
def view_publication(
    group_slug: str, publication_slug: str, db: Database = Depends(get_db)
) -> Response:
    with db.read() as session:
        group = session.scalar(select(Group).where(Group.slug == group_slug))
        publication = None
        if group is not None:
            publication = session.scalar(
                _online(group.id).where(Publication.slug == publication_slug)
            )
        if group is None or publication is None:
            return HTMLResponse(_NOT_FOUND, status_code=404)
        title = html.escape(publication.browser_title or publication.title)
        description = html.escape(publication.description or "")
        robots = '<meta name="robots" content="noindex">' if publication.disable_seo else ""
        pages = publication.page_count
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{robots}"
        f"<meta name='description' content='{description}'></head>"
        f"<body><h1>{title}</h1><p>{description}</p><p>{pages} pages</p></body></html>"
    )
