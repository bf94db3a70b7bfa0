"""Metatags of a group (seed 003, "Metatags")."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.enums import ChangeOp, EntityType
from app.core.timestamps import utc_now
from app.server.accounts import Principal
from app.server.caching import cached_json
from app.server.database import Database
from app.server.deps import get_db, reader, write_request
from app.server.errors import ApiError, FieldErrors
from app.server.lookups import group_of, metatag_of
from app.server.models import Metatag, Publication, publication_metatags
from app.server.pagination import PageRequest, page_request
from app.server.presenters import metatag_data
from app.server.publication_service import present_publication
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.schemas import MetatagCreate, MetatagUpdate
from app.server.validation import validate
from app.server.write_context import WriteRequest

router = APIRouter(tags=["metatags"])

IN_USE_MESSAGE = 'Metatag is currently in use, send "force_delete=true" to delete anyway'


@router.get("/v2/groups/{group_id}/metatags")
def list_metatags(
    request: Request,
    group_id: Id,
    paging: PageRequest = Depends(page_request),
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        group = group_of(session, principal.account_id, group_id)
        where = Metatag.group_id == group.id
        total = session.scalar(select(func.count()).select_from(Metatag).where(where)) or 0
        query = select(Metatag).where(where).order_by(Metatag.id)
        if paging.page is not None:
            query = query.offset(paging.offset).limit(paging.per_page)
        metatags = list(session.scalars(query))
        last_modified = max((m.updated_at for m in metatags), default=group.updated_at)
    return cached_json(
        request,
        {"metatags": [metatag_data(m) for m in metatags]},
        last_modified=last_modified,
        headers=paging.headers(total),
    )


@router.get("/v2/groups/{group_id}/metatags/{metatag_id}")
def get_metatag(
    request: Request,
    group_id: Id,
    metatag_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        metatag = metatag_of(session, group_of(session, principal.account_id, group_id), metatag_id)
    return cached_json(
        request, {"metatag": [metatag_data(metatag)]}, last_modified=metatag.updated_at
    )


def _check_unique(
    session: Session, group_id: int, category: str, value: str, own_id: int | None
) -> None:
    query = select(Metatag.id).where(
        Metatag.group_id == group_id, Metatag.category == category, Metatag.value == value
    )
    if own_id is not None:
        query = query.where(Metatag.id != own_id)
    if session.scalar(query) is not None:
        raise FieldErrors({"value": [f"already exists in category {category!r}"]})


@router.post("/v2/groups/{group_id}/metatags", status_code=201)
def create_metatag(group_id: Id, req: WriteRequest = Depends(write_request)) -> Response:
    fields = validate(MetatagCreate, scoped(req.body, "metatag"))
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        _check_unique(tx.session, group.id, fields.category, fields.value, None)
        metatag = Metatag(group_id=group.id, category=fields.category, value=fields.value)
        tx.session.add(metatag)
        tx.session.flush()
        data = metatag_data(metatag)
        tx.changed(EntityType.METATAG, metatag.id, group.id, data)
        return tx.respond(201, {"metatag": data}, etag_body={"metatag": [data]})


@router.put("/v2/groups/{group_id}/metatags/{metatag_id}")
def update_metatag(
    group_id: Id, metatag_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    fields = validate(MetatagUpdate, scoped(req.body, "metatag"))
    sent = fields.model_fields_set
    for name in ("category", "value"):
        if name in sent and getattr(fields, name) is None:
            raise FieldErrors({name: ["can't be blank"]})
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        metatag = metatag_of(tx.session, group, metatag_id)
        tx.check_if_match({"metatag": [metatag_data(metatag)]})
        category = fields.category if "category" in sent else metatag.category
        value = fields.value if "value" in sent else metatag.value
        assert category is not None and value is not None
        _check_unique(tx.session, group.id, category, value, metatag.id)
        metatag.category, metatag.value, metatag.updated_at = category, value, utc_now()
        tx.session.flush()
        data = metatag_data(metatag)
        tx.changed(EntityType.METATAG, metatag.id, group.id, data)
        return tx.respond(200, {"metatag": data}, etag_body={"metatag": [data]})


def _truthy(raw: str | None) -> bool:
    if raw is None:
        return False
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    raise FieldErrors({"force_delete": ["must be true or false"]})


@router.delete("/v2/groups/{group_id}/metatags/{metatag_id}", status_code=204)
def delete_metatag(
    group_id: Id,
    metatag_id: Id,
    force_delete: str | None = Query(None, description='"true" deletes a metatag that is in use'),
    req: WriteRequest = Depends(write_request),
) -> Response:
    force = _truthy(force_delete)
    with req.transaction() as tx:
        session = tx.session
        group = group_of(session, tx.account_id, group_id)
        metatag = metatag_of(session, group, metatag_id)
        tx.check_if_match({"metatag": [metatag_data(metatag)]})
        users = list(
            session.scalars(
                select(Publication)
                .join(publication_metatags, publication_metatags.c.publication_id == Publication.id)
                .where(publication_metatags.c.metatag_id == metatag.id)
            )
        )
        live_users = [p for p in users if not p.archived]
        if live_users and not force:
            raise ApiError(409, IN_USE_MESSAGE, "metatag_in_use")
        now = utc_now()
        for publication in users:
            publication.metatags = [m for m in publication.metatags if m.id != metatag.id]
            publication.updated_at = now
        session.flush()
        session.delete(metatag)
        session.flush()
        for publication in live_users:
            data = present_publication(session, publication, group)
            tx.changed(EntityType.PUBLICATION, publication.id, group.id, data)
        tx.changed(EntityType.METATAG, metatag_id, group.id, None, ChangeOp.DELETE)
        return tx.respond(204)
