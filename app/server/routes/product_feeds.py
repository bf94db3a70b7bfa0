"""Product feed imports (seed 003, upstream) and the group's catalogue (ext)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import delete, func, select
from starlette.responses import Response

from app.core.enums import ChangeOp, EntityType
from app.server.accounts import Principal
from app.server.caching import cached_json
from app.server.conversion_sources import source_parameters
from app.server.database import Database
from app.server.deps import get_db, reader, write_request
from app.server.errors import ApiError, FieldErrors, not_found
from app.server.feed_import import RUNNING_STATES, SCHEDULED, announce
from app.server.lookups import group_of
from app.server.models import Group, Product, ProductFeed
from app.server.pagination import PageRequest, page_request
from app.server.presenters import product_data, product_feed_data
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.write_context import Transaction, WriteRequest

router = APIRouter(tags=["product feeds"])

RECENT = 5
MAX_SKUS_PER_LOOKUP = 100


def _feed_of(tx_or_session: Any, group: Group, feed_id: int) -> ProductFeed:
    feed = tx_or_session.get(ProductFeed, feed_id)
    if feed is None or feed.group_id != group.id:
        raise not_found("Product feed")
    return feed


def _checked_url(
    data: dict[str, Any], req: WriteRequest, tx: Transaction
) -> tuple[str, int | None]:
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise FieldErrors({"url": ["can't be blank"]})
    url = url.strip()
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        raise FieldErrors({"url": ["has an invalid port"]}) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FieldErrors({"url": ["must be an http(s) URL or an upload's source_url"]})
    try:
        upload = source_parameters(tx.session, tx.account_id, url, req.base_url).get("upload_id")
    except FieldErrors as exc:
        raise FieldErrors({"url": exc.errors.get("source_url", ["is not usable"])}) from None
    return url, upload


def _refuse_if_running(tx: Transaction, group: Group) -> None:
    running = tx.session.scalar(
        select(ProductFeed.id).where(
            ProductFeed.group_id == group.id, ProductFeed.state.in_(RUNNING_STATES)
        )
    )
    if running is not None:
        raise ApiError(
            409,
            f"Product feed import {running} is still running for this group; wait for it to finish",
            "feed_import_running",
        )


@router.get("/v2/groups/{group_id}/product_feeds")
def list_product_feeds(
    request: Request,
    group_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    """The last 5 imports, newest first."""
    with db.read() as session:
        group = group_of(session, principal.account_id, group_id)
        feeds = session.scalars(
            select(ProductFeed)
            .where(ProductFeed.group_id == group.id)
            # A re-import (PATCH) of an older feed is one of the latest imports.
            .order_by(ProductFeed.updated_at.desc(), ProductFeed.id.desc())
            .limit(RECENT)
        )
        body = {"product_feeds": [product_feed_data(feed) for feed in feeds]}
    return cached_json(request, body)


@router.get("/v2/groups/{group_id}/product_feeds/{feed_id}")
def get_product_feed(
    request: Request,
    group_id: Id,
    feed_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        feed = _feed_of(session, group_of(session, principal.account_id, group_id), feed_id)
        body = {"product_feed": product_feed_data(feed)}
    return cached_json(request, body)


@router.post("/v2/groups/{group_id}/product_feeds", status_code=201)
def create_product_feed(
    request: Request, group_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    data = scoped(req.body, "product_feed")
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        url, upload_id = _checked_url(data, req, tx)
        _refuse_if_running(tx, group)
        feed = ProductFeed(group_id=group.id, url=url, upload_id=upload_id, state=SCHEDULED)
        tx.session.add(feed)
        tx.session.flush()
        body = {"product_feed": product_feed_data(feed)}
        tx.changed(EntityType.PRODUCT_FEED, feed.id, group.id, body["product_feed"])
        response = tx.respond(201, body, etag_body=body)
    request.app.state.feed_imports.wake()
    return response


@router.patch("/v2/groups/{group_id}/product_feeds/{feed_id}")
def reimport_product_feed(
    request: Request, group_id: Id, feed_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """A new import of this feed from a new url."""
    data = scoped(req.body, "product_feed")
    if not data.get("url"):
        raise ApiError(412, "A new import needs the feed's url", "url_missing")
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        feed = _feed_of(tx.session, group, feed_id)
        tx.check_if_match({"product_feed": product_feed_data(feed)})
        url, upload_id = _checked_url(data, req, tx)
        _refuse_if_running(tx, group)
        feed.url, feed.upload_id, feed.state = url, upload_id, SCHEDULED
        feed.success_count = feed.failed_count = 0
        feed.errors_sample = None
        feed.error = None
        feed.started_at = feed.finished_at = None
        announce(tx.session, tx.account_id, feed)
        body = {"product_feed": product_feed_data(feed)}
        response = tx.respond(200, body, etag_body=body)
    request.app.state.feed_imports.wake()
    return response


@router.delete("/v2/groups/{group_id}/product_feeds/{feed_id}", status_code=204)
def delete_product_feed(
    group_id: Id, feed_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """Delete the import and clear the group's catalogue (a running import stops)."""
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        feed = _feed_of(tx.session, group, feed_id)
        tx.check_if_match({"product_feed": product_feed_data(feed)})
        tx.session.delete(feed)
        tx.session.execute(delete(Product).where(Product.group_id == group.id))
        tx.changed(EntityType.PRODUCT_FEED, feed_id, group.id, None, ChangeOp.DELETE)
        return tx.respond(204)


@router.get("/v2/groups/{group_id}/products")
def list_products(
    request: Request,
    group_id: Id,
    sku: str | None = Query(None, description="Only these SKUs (comma-separated)"),
    paging: PageRequest = Depends(page_request),
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        group = group_of(session, principal.account_id, group_id)
        where = [Product.group_id == group.id]
        if sku is not None:
            wanted = [s.strip() for s in sku.split(",") if s.strip()]
            if len(wanted) > MAX_SKUS_PER_LOOKUP:
                raise FieldErrors({"sku": [f"at most {MAX_SKUS_PER_LOOKUP} SKUs per request"]})
            where.append(Product.sku.in_(wanted))
        total = session.scalar(select(func.count()).select_from(Product).where(*where)) or 0
        query = select(Product).where(*where).order_by(Product.id)
        if paging.page is not None:
            query = query.offset(paging.offset).limit(paging.per_page)
        body = {"products": [product_data(p) for p in session.scalars(query)]}
    return cached_json(request, body, headers=paging.headers(total))
