"""Groups of the key's account (seed 003, "Groups"); creating one is an admin extension."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from starlette.responses import Response

from app.server.accounts import Principal
from app.server.caching import cached_json
from app.server.database import Database
from app.server.deps import admin_write_request, base_url, get_db, reader
from app.server.group_service import create_group
from app.server.lookups import group_of, publication_counts
from app.server.models import Group
from app.server.pagination import PageRequest, page_request
from app.server.presenters import absolutize, group_data
from app.server.read_cache import Built, cached_read
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.schemas import GroupCreate
from app.server.validation import validate
from app.server.write_context import WriteRequest

router = APIRouter(tags=["groups"])


@router.get("/v2/groups")
async def list_groups(
    request: Request,
    paging: PageRequest = Depends(page_request),
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    base = base_url(request)

    def build() -> Built:
        with db.read() as session:
            where = Group.account_id == principal.account_id
            total = session.scalar(select(func.count()).select_from(Group).where(where)) or 0
            query = select(Group).where(where).order_by(Group.id)
            if paging.page is not None:
                query = query.offset(paging.offset).limit(paging.per_page)
            groups = list(session.scalars(query))
            counts = publication_counts(session, (g.id for g in groups))
            items = [absolutize(group_data(g, counts[g.id]), base) for g in groups]
            last_modified = max((g.updated_at for g in groups), default=None)
        return {"groups": items}, last_modified, paging.headers(total)

    return await cached_read(request, principal, ("groups", paging.page, paging.per_page), build)


@router.get("/v2/groups/{group_id}")
def get_group(
    request: Request,
    group_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        group = group_of(session, principal.account_id, group_id)
        data = group_data(group, publication_counts(session, [group.id])[group.id])
    return cached_json(
        request, {"group": [absolutize(data, base_url(request))]}, last_modified=group.updated_at
    )


@router.post("/v2/groups", status_code=201)
def post_group(req: WriteRequest = Depends(admin_write_request)) -> Response:
    fields = validate(GroupCreate, scoped(req.body, "group"))
    with req.transaction() as tx:
        body = absolutize(create_group(tx.session, tx.account_id, fields.title), req.base_url)
        return tx.respond(
            201, {"group": body}, etag_body={"group": [body]}, headers={"Location": body["url"]}
        )
