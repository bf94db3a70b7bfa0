"""Publications: list, get, create, update (seed 003, "Publications")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.enums import (
    ChangeOp,
    ConversionSource,
    ConversionState,
    EntityType,
    LayoutType,
    PublicationState,
    StateFilter,
)
from app.core.slugs import slugify, unique_slug
from app.core.timestamps import utc_now
from app.server.accounts import Principal
from app.server.conversion_jobs import ACTIVE_STATES
from app.server.conversion_sources import queue_conversion
from app.server.database import Database
from app.server.deps import base_url, reader, write_request
from app.server.errors import ApiError, FieldErrors
from app.server.lookups import collection_of, group_of, publication_of
from app.server.models import Conversion, Group, Metatag, Publication
from app.server.pagination import parse_page_request
from app.server.presenters import absolutize, conversion_data, publication_data
from app.server.publication_service import (
    group_change,
    metatag_ids_by_publication,
    present_publication,
)
from app.server.read_cache import Built, cached_read
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.schemas import MAX_ID, PublicationCreate, PublicationUpdate, check_schedule
from app.server.spread_service import layout_changes, rebuild_spreads
from app.server.validation import validate
from app.server.write_context import Transaction, WriteRequest

router = APIRouter(tags=["publications"])


def _state_filter(raw: str | None) -> StateFilter | None:
    if raw is None:
        return None
    try:
        return StateFilter(raw)
    except ValueError:
        allowed = ", ".join(s.value for s in StateFilter)
        raise FieldErrors({"state": [f"must be one of {allowed}"]}) from None


def _collection_filter(raw: str | None) -> int | None:
    if raw is None:
        return None
    # isascii: str.isdigit() also accepts digits like "²" that int() refuses; len: int() refuses
    # thousands of digits, and anything over 19 is beyond MAX_ID anyway.
    plain = raw.isascii() and raw.isdigit() and len(raw) <= 19
    if not plain or not 1 <= int(raw) <= MAX_ID:
        raise FieldErrors({"collection_id": ["must be a positive integer id"]})
    return int(raw)


def _query_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


LIST_PARAMETERS = [
    _query_parameter("state", "public, unlisted, online or offline"),
    _query_parameter("collection_id", "only publications of this collection"),
    _query_parameter("page", "page number; without it, all results"),
    _query_parameter("per_page", "items per page (25 by default, 100 at most)"),
]


# The query parameters are read from the request, not declared: on the busiest endpoint,
# FastAPI's per-parameter work cost more than the rest of a cached answer.
@router.get("/v2/groups/{group_id}/publications", openapi_extra={"parameters": LIST_PARAMETERS})
async def list_publications(
    request: Request,
    group_id: Id,
    principal: Principal = Depends(reader),
) -> Response:
    db: Database = request.app.state.db
    query_params = request.query_params
    paging = parse_page_request(query_params.get("page"), query_params.get("per_page"))
    state = query_params.get("state")
    collection_id = query_params.get("collection_id")
    state_filter = _state_filter(state)
    collection = _collection_filter(collection_id)
    base = base_url(request)

    def build() -> Built:
        with db.read() as session:
            group = group_of(session, principal.account_id, group_id)
            where: list[Any] = [Publication.group_id == group.id, Publication.archived.is_(False)]
            if state_filter is StateFilter.OFFLINE:
                where.append(Publication.state == PublicationState.OFFLINE.value)
            elif state_filter is not None:
                where.append(Publication.state == PublicationState.ONLINE.value)
                if state_filter is StateFilter.PUBLIC:
                    where.append(Publication.disable_seo.is_(False))
                elif state_filter is StateFilter.UNLISTED:
                    where.append(Publication.disable_seo.is_(True))
            if collection is not None:
                where.append(Publication.collection_id == collection)
            total = session.scalar(select(func.count()).select_from(Publication).where(*where)) or 0
            query = select(Publication).where(*where).order_by(Publication.id)
            if paging.page is not None:
                query = query.offset(paging.offset).limit(paging.per_page)
            publications = list(session.scalars(query))
            tags = metatag_ids_by_publication(session, (p.id for p in publications))
            items = [
                absolutize(publication_data(p, group.slug, tags[p.id]), base) for p in publications
            ]
            last_modified = max((p.updated_at for p in publications), default=group.updated_at)
        return {"publications": items}, last_modified, paging.headers(total)

    key = ("publications", group_id, state_filter, collection, paging.page, paging.per_page)
    return await cached_read(request, principal, key, build)


def single_body(
    session: Session, publication: Publication, group: Group, base: str
) -> dict[str, Any]:
    """The GET representation (array-wrapped, as the seed documents it)."""
    return {"publication": [absolutize(present_publication(session, publication, group), base)]}


@router.get("/v2/groups/{group_id}/publications/{publication_id}")
async def get_publication(
    request: Request,
    group_id: Id,
    publication_id: Id,
    principal: Principal = Depends(reader),
) -> Response:
    db: Database = request.app.state.db

    def build() -> Built:
        with db.read() as session:
            group = group_of(session, principal.account_id, group_id)
            publication = publication_of(session, group, publication_id)
            return (
                single_body(session, publication, group, base_url(request)),
                publication.updated_at,
                {},
            )

    return await cached_read(request, principal, ("publication", group_id, publication_id), build)


def _metatags_for(
    session: Session, group: Group, ids: list[int] | None, category: str | None
) -> list[Metatag] | None:
    """The metatags named by ids and/or category, all of this group; None when neither was sent."""
    if ids is None and category is None:
        return None
    chosen: dict[int, Metatag] = {}
    if ids:
        wanted = set(ids)
        found = session.scalars(
            select(Metatag).where(Metatag.group_id == group.id, Metatag.id.in_(wanted))
        ).all()
        missing = wanted - {m.id for m in found}
        if missing:
            listed = ", ".join(str(i) for i in sorted(missing))
            raise FieldErrors({"metatag_ids": [f"unknown metatag ids in this group: {listed}"]})
        chosen.update((m.id, m) for m in found)
    if category is not None:
        in_category = session.scalars(
            select(Metatag).where(Metatag.group_id == group.id, Metatag.category == category)
        ).all()
        if not in_category:
            raise FieldErrors({"metatags_category": [f"no metatags in category {category!r}"]})
        chosen.update((m.id, m) for m in in_category)
    return sorted(chosen.values(), key=lambda m: m.id)


def _check_collection(session: Session, group: Group, collection_id: int | None) -> None:
    if collection_id is None:
        return
    try:
        collection_of(session, group, collection_id)
    except ApiError:
        raise FieldErrors(
            {"collection_id": [f"no collection {collection_id} in this group"]}
        ) from None


def _record(tx: Transaction, publication: Publication, group: Group) -> dict[str, Any]:
    data = present_publication(tx.session, publication, group)
    tx.changed(EntityType.PUBLICATION, publication.id, group.id, data)
    return data


@router.post("/v2/groups/{group_id}/publications", status_code=201)
def create_publication(
    request: Request, group_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    fields = validate(PublicationCreate, scoped(req.body, "publication"))
    schedule_error = check_schedule(fields.schedule_online_at, fields.schedule_offline_at)
    if schedule_error:
        raise FieldErrors({"schedule_offline_at": [schedule_error]})
    with req.transaction() as tx:
        session = tx.session
        group = group_of(session, tx.account_id, group_id)
        metatags = _metatags_for(session, group, fields.metatag_ids, fields.metatags_category)
        _check_collection(session, group, fields.collection_id)
        taken = set(
            session.scalars(select(Publication.slug).where(Publication.group_id == group.id))
        )
        now = utc_now()
        publication = Publication(
            group_id=group.id,
            title=fields.title,
            browser_title=fields.browser_title,
            description=fields.description,
            slug=unique_slug(slugify(fields.title), taken.__contains__),
            language=fields.language,
            state=PublicationState.OFFLINE.value,
            layout_type=(fields.layout_type or LayoutType.BOOKLET).value,
            schedule_online_at=fields.schedule_online_at,
            schedule_offline_at=fields.schedule_offline_at,
            valid_from=fields.valid_from,
            collection_id=fields.collection_id,
            source_url=fields.source_url,
            extraction_options=fields.extraction_options,
            created_at=now,
            updated_at=now,
        )
        publication.metatags = metatags or []
        session.add(publication)
        session.flush()
        queue_conversion(
            tx,
            publication,
            ConversionSource.NEW_PUBLICATION,
            fields.source_url,
            fields.extraction_options,
        )
        data = _record(tx, publication, group)
        tx.changed(*group_change(session, group))
        body = absolutize(data, req.base_url)
        response = tx.respond(
            201,
            {"publication": body},
            etag_body={"publication": [body]},
            headers={"Location": body["url"]},
        )
    request.app.state.conversions.wake()
    return response


@router.put("/v2/groups/{group_id}/publications/{publication_id}")
def update_publication(
    group_id: Id, publication_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    fields = validate(PublicationUpdate, scoped(req.body, "publication"))
    sent = fields.model_fields_set
    if "title" in sent and fields.title is None:
        raise FieldErrors({"title": ["can't be blank"]})
    if "slug" in sent and fields.slug is None:
        raise FieldErrors({"slug": ["can't be blank"]})
    with req.transaction() as tx:
        session = tx.session
        group = group_of(session, tx.account_id, group_id)
        publication = publication_of(session, group, publication_id)
        tx.check_if_match(single_body(session, publication, group, req.base_url))
        online_at = (
            fields.schedule_online_at
            if "schedule_online_at" in sent
            else publication.schedule_online_at
        )
        offline_at = (
            fields.schedule_offline_at
            if "schedule_offline_at" in sent
            else publication.schedule_offline_at
        )
        schedule_error = check_schedule(online_at, offline_at)
        if schedule_error:
            raise FieldErrors({"schedule_offline_at": [schedule_error]})
        if "slug" in sent and fields.slug != publication.slug:
            clash = session.scalar(
                select(Publication.id).where(
                    Publication.group_id == group.id,
                    Publication.slug == fields.slug,
                    Publication.id != publication.id,
                )
            )
            if clash is not None:
                raise FieldErrors({"slug": ["has already been taken in this group"]})
            publication.slug = fields.slug  # type: ignore[assignment]
        for name in ("title", "browser_title", "description", "language", "valid_from"):
            if name in sent:
                setattr(publication, name, getattr(fields, name))
        if "schedule_online_at" in sent:
            publication.schedule_online_at = fields.schedule_online_at
        if "schedule_offline_at" in sent:
            publication.schedule_offline_at = fields.schedule_offline_at
        if "collection_id" in sent:
            _check_collection(session, group, fields.collection_id)
            publication.collection_id = fields.collection_id
        if "extraction_options" in sent:
            publication.extraction_options = fields.extraction_options
        relayout = (
            "layout_type" in sent
            and fields.layout_type is not None
            and fields.layout_type.value != publication.layout_type
        )
        if relayout:
            assert fields.layout_type is not None
            publication.layout_type = fields.layout_type.value
            deleted_spreads = rebuild_spreads(session, publication)
            tx.changes.extend(layout_changes(session, publication, deleted_spreads))
        ids = fields.metatag_ids if "metatag_ids" in sent else None
        if "metatag_ids" in sent and ids is None:
            ids = []
        if ids is not None or fields.metatags_category is not None:
            base_set = ids if ids is not None else [m.id for m in publication.metatags]
            publication.metatags = (
                _metatags_for(session, group, base_set, fields.metatags_category) or []
            )
        publication.updated_at = utc_now()
        session.flush()
        body = absolutize(_record(tx, publication, group), req.base_url)
        return tx.respond(200, {"publication": body}, etag_body={"publication": [body]})


def archive(tx: Transaction, group: Group, publication: Publication) -> None:
    """Archive: gone from lists and 404 from now on; its unfinished conversions are canceled."""
    now = utc_now()
    unfinished = select(Conversion).where(
        Conversion.publication_id == publication.id,
        Conversion.state.in_((ConversionState.NEW.value, *ACTIVE_STATES)),
    )
    for conversion in tx.session.scalars(unfinished):
        conversion.state = ConversionState.CANCELED.value
        conversion.updated_at = now
        tx.session.flush()
        tx.changed(EntityType.CONVERSION, conversion.id, group.id, conversion_data(conversion))
    publication.archived = True
    publication.archived_at = now
    publication.schedule_online_at = None
    publication.schedule_offline_at = None
    publication.updated_at = now
    tx.session.flush()
    tx.changed(EntityType.PUBLICATION, publication.id, group.id, None, ChangeOp.DELETE)
    tx.changed(*group_change(tx.session, group))


@router.delete("/v2/groups/{group_id}/publications/{publication_id}", status_code=204)
def archive_publication(
    group_id: Id, publication_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        publication = publication_of(tx.session, group, publication_id)
        tx.check_if_match(single_body(tx.session, publication, group, req.base_url))
        archive(tx, group, publication)
        return tx.respond(204)
