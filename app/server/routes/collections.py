"""Collections of a group (seed 003 and upstream)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from starlette.responses import Response

from app.core.enums import ChangeOp, EntityType
from app.core.timestamps import utc_now
from app.server.accounts import Principal
from app.server.caching import cached_json
from app.server.database import Database
from app.server.deps import get_db, reader, write_request
from app.server.errors import ApiError
from app.server.lookups import collection_of, group_of
from app.server.models import Collection, Publication
from app.server.pagination import PageRequest, page_request
from app.server.presenters import collection_data
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.schemas import CollectionBody
from app.server.validation import validate
from app.server.write_context import WriteRequest

router = APIRouter(tags=["collections"])


@router.get("/v2/groups/{group_id}/collections")
def list_collections(
    request: Request,
    group_id: Id,
    paging: PageRequest = Depends(page_request),
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        group = group_of(session, principal.account_id, group_id)
        where = Collection.group_id == group.id
        total = session.scalar(select(func.count()).select_from(Collection).where(where)) or 0
        query = select(Collection).where(where).order_by(Collection.id)
        if paging.page is not None:
            query = query.offset(paging.offset).limit(paging.per_page)
        collections = list(session.scalars(query))
        last_modified = max((c.updated_at for c in collections), default=group.updated_at)
    return cached_json(
        request,
        {"collections": [collection_data(c) for c in collections]},
        last_modified=last_modified,
        headers=paging.headers(total),
    )


@router.get("/v2/groups/{group_id}/collections/{collection_id}")
def get_collection(
    request: Request,
    group_id: Id,
    collection_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        collection = collection_of(
            session, group_of(session, principal.account_id, group_id), collection_id
        )
    return cached_json(
        request, {"collection": [collection_data(collection)]}, last_modified=collection.updated_at
    )


@router.post("/v2/groups/{group_id}/collections", status_code=201)
def create_collection(group_id: Id, req: WriteRequest = Depends(write_request)) -> Response:
    fields = validate(CollectionBody, scoped(req.body, "collection"))
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        collection = Collection(group_id=group.id, title=fields.title)
        tx.session.add(collection)
        tx.session.flush()
        data = collection_data(collection)
        tx.changed(EntityType.COLLECTION, collection.id, group.id, data)
        return tx.respond(201, {"collection": data}, etag_body={"collection": [data]})


@router.put("/v2/groups/{group_id}/collections/{collection_id}")
def update_collection(
    group_id: Id, collection_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    fields = validate(CollectionBody, scoped(req.body, "collection"))
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        collection = collection_of(tx.session, group, collection_id)
        tx.check_if_match({"collection": [collection_data(collection)]})
        collection.title = fields.title
        collection.updated_at = utc_now()
        tx.session.flush()
        data = collection_data(collection)
        tx.changed(EntityType.COLLECTION, collection.id, group.id, data)
        return tx.respond(200, {"collection": data}, etag_body={"collection": [data]})


@router.delete("/v2/groups/{group_id}/collections/{collection_id}", status_code=204)
def delete_collection(
    group_id: Id, collection_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    with req.transaction() as tx:
        session = tx.session
        group = group_of(session, tx.account_id, group_id)
        collection = collection_of(session, group, collection_id)
        tx.check_if_match({"collection": [collection_data(collection)]})
        in_use = session.scalar(
            select(func.count())
            .select_from(Publication)
            .where(Publication.collection_id == collection.id, Publication.archived.is_(False))
        )
        if in_use:
            raise ApiError(
                409,
                f"Collection is not empty: {in_use} publication(s) belong to it; move them first",
                "collection_not_empty",
            )
        # Archived publications may still point at it; they simply lose the link.
        for publication in session.scalars(
            select(Publication).where(Publication.collection_id == collection.id)
        ):
            publication.collection_id = None
        session.delete(collection)
        session.flush()
        tx.changed(EntityType.COLLECTION, collection_id, group.id, None, ChangeOp.DELETE)
        return tx.respond(204)
