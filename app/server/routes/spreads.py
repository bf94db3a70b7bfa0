"""Spreads of a publication (ext) and the hotspots on them (upstream).

Coordinates in the API are fractions (0..1) of the spread, origin top-left. A hotspot is
stored on the page its centre lies on, in that page's PDF user space.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.enums import ChangeOp, EntityType
from app.core.errors import ValidationError
from app.core.geometry import Rect, page_fraction_to_user
from app.core.hotspot_fields import hotspot_properties, parse_hotspot_type
from app.core.hotspots import HotspotType
from app.core.timestamps import utc_now
from app.server.accounts import Principal
from app.server.caching import cached_json
from app.server.catalogue import resolve_products
from app.server.database import Database
from app.server.deps import base_url, get_db, reader, write_request
from app.server.errors import FieldErrors, not_found
from app.server.lookups import group_of, publication_of
from app.server.models import Group, HotspotRow, Page, Publication, Spread
from app.server.presenters import absolutize
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.spread_service import (
    SpreadView,
    hotspot_data,
    hotspots_on,
    page_box,
    page_numbers_by_id,
    spread_data,
    spread_view,
    spread_views,
)
from app.server.write_context import Transaction, WriteRequest

router = APIRouter(tags=["spreads and hotspots"])

GEOMETRY = ("x", "y", "width", "height")
EDGE_TOLERANCE = 1e-6


@router.get("/v2/groups/{group_id}/publications/{publication_id}/spreads")
def list_spreads(
    request: Request,
    group_id: Id,
    publication_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    """The publication's spreads in reading order, with their pages and sizes in points."""
    with db.read() as session:
        publication = publication_of(
            session, group_of(session, principal.account_id, group_id), publication_id
        )
        views = spread_views(session, publication.id)
        base = base_url(request)
        body = {"spreads": [absolutize(spread_data(view), base) for view in views]}
        last_modified = publication.updated_at
    return cached_json(request, body, last_modified=last_modified)


def _spread_of(session: Session, account_id: int, spread_id: int) -> tuple[Spread, Publication]:
    spread = session.get(Spread, spread_id)
    if spread is None:
        raise not_found("Spread")
    publication = session.get(Publication, spread.publication_id)
    group = session.get(Group, publication.group_id) if publication else None
    if publication is None or publication.archived or group is None:
        raise not_found("Spread")
    if group.account_id != account_id:
        raise not_found("Spread")
    return spread, publication


def _hotspot_of(session: Session, view: SpreadView, hotspot_id: int) -> HotspotRow:
    row = session.get(HotspotRow, hotspot_id)
    if row is None or row.page_id not in {page.id for page in view.pages}:
        raise not_found("Hotspot")
    return row


def _present(session: Session, row: HotspotRow, view: SpreadView) -> dict[str, Any]:
    data = hotspot_data(row, view, page_numbers_by_id(session, view.spread.publication_id))
    resolve_products(session, _group_id(session, view), [data])
    return data


def _group_id(session: Session, view: SpreadView) -> int:
    group_id = session.scalar(
        select(Publication.group_id).where(Publication.id == view.spread.publication_id)
    )
    assert group_id is not None
    return group_id


@router.get("/v2/spreads/{spread_id}/hotspots")
def list_hotspots(
    request: Request,
    spread_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        spread, publication = _spread_of(session, principal.account_id, spread_id)
        view = spread_view(session, spread)
        numbers = page_numbers_by_id(session, publication.id)
        rows = hotspots_on(session, (page.id for page in view.pages))
        hotspots = [hotspot_data(row, view, numbers) for row in rows]
        resolve_products(session, _group_id(session, view), hotspots)
        body = {"hotspots": hotspots}
    # ETag only: a hotspot's spread fractions and page numbers change with other rows (pages
    # moved, a hotspot deleted), which no single Last-Modified date can tell.
    return cached_json(request, body)


@router.get("/v2/spreads/{spread_id}/hotspots/{hotspot_id}")
def get_hotspot(
    request: Request,
    spread_id: Id,
    hotspot_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    with db.read() as session:
        spread, _ = _spread_of(session, principal.account_id, spread_id)
        view = spread_view(session, spread)
        row = _hotspot_of(session, view, hotspot_id)
        body = {"hotspot": _present(session, row, view)}
    return cached_json(request, body)


def _fraction(data: dict[str, Any], name: str, errors: dict[str, list[str]]) -> float | None:
    value = data.get(name)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors[name] = ["must be a number (a fraction of the spread, 0 to 1)"]
        return None
    return float(value)


def _rect(data: dict[str, Any], current: Rect | None) -> Rect:
    """The hotspot's spread-fraction rectangle from x, y, width, height (missing ones keep
    their current values on an update, and only what was sent is checked against the
    spread's edges). Raises ValidationError."""
    errors: dict[str, list[str]] = {}
    values: dict[str, float | None] = {}
    for name in GEOMETRY:
        if name in data:
            values[name] = _fraction(data, name, errors)
        elif current is not None:
            values[name] = {
                "x": current.x0,
                "y": current.y0,
                "width": current.width,
                "height": current.height,
            }[name]
        else:
            errors[name] = ["is required"]
    if errors:
        raise ValidationError(errors)
    x, y, width, height = (float(values[name] or 0.0) for name in GEOMETRY)
    if width <= 0:
        errors["width"] = ["must be greater than 0"]
    if height <= 0:
        errors["height"] = ["must be greater than 0"]
    horizontal = current is None or "x" in data or "width" in data
    vertical = current is None or "y" in data or "height" in data
    if horizontal and (x < -EDGE_TOLERANCE or x + width > 1 + EDGE_TOLERANCE):
        errors["x"] = ["the hotspot must lie within the spread (0 <= x, x + width <= 1)"]
    if vertical and (y < -EDGE_TOLERANCE or y + height > 1 + EDGE_TOLERANCE):
        errors["y"] = ["the hotspot must lie within the spread (0 <= y, y + height <= 1)"]
    if errors:
        raise ValidationError(errors)
    return Rect(x, y, x + width, y + height)


def _place(view: SpreadView, fraction: Rect) -> tuple[Page, Rect]:
    """The page a spread rectangle belongs on (the one under its centre) and the rectangle in
    that page's user space, clipped to the page: a hotspot never spans the gutter."""
    index, on_page = view.layout.spread_to_page(fraction)
    clipped = Rect(
        max(0.0, on_page.x0), max(0.0, on_page.y0), min(1.0, on_page.x1), min(1.0, on_page.y1)
    )
    if clipped.width <= 0 or clipped.height <= 0:
        raise ValidationError({"x": ["the hotspot must cover part of a page"]})
    page = view.pages[index]
    return page, page_fraction_to_user(clipped, page_box(page))


def _target_page_id(session: Session, publication: Publication, number: Any) -> int:
    page_id = session.scalar(
        select(Page.id).where(Page.publication_id == publication.id, Page.position == number)
    )
    if page_id is None:
        raise FieldErrors(
            {"page": [f"must be a page of this publication (1 to {publication.page_count})"]}
        )
    return page_id


def _record(
    tx: Transaction, row: HotspotRow, view: SpreadView, publication: Publication
) -> dict[str, Any]:
    tx.session.flush()
    data = _present(tx.session, row, view)
    tx.changed(EntityType.HOTSPOT, row.id, publication.group_id, data)
    return data


@router.post("/v2/spreads/{spread_id}/hotspots", status_code=201)
def create_hotspot(spread_id: Id, req: WriteRequest = Depends(write_request)) -> Response:
    data = scoped(req.body, "hotspot")
    kind = parse_hotspot_type(data.get("type"))
    fraction = _rect(data, None)
    properties = hotspot_properties(kind, data)
    with req.transaction() as tx:
        spread, publication = _spread_of(tx.session, tx.account_id, spread_id)
        view = spread_view(tx.session, spread)
        if not view.pages:
            raise not_found("Spread")
        page, rect = _place(view, fraction)
        target_id = None
        if kind is HotspotType.PAGE_REFERENCE:
            target_id = _target_page_id(tx.session, publication, properties.pop("page"))
        now = utc_now()
        row = HotspotRow(
            page_id=page.id,
            type=kind.value,
            x0=rect.x0,
            y0=rect.y0,
            x1=rect.x1,
            y1=rect.y1,
            properties=properties,
            target_page_id=target_id,
            origin="api",
            created_at=now,
            updated_at=now,
        )
        tx.session.add(row)
        body = {"hotspot": _record(tx, row, view, publication)}
        return tx.respond(
            201,
            body,
            etag_body=body,
            headers={"Location": f"{req.base_url}/v2/spreads/{spread_id}/hotspots/{row.id}"},
        )


@router.patch("/v2/spreads/{spread_id}/hotspots/{hotspot_id}")
def update_hotspot(
    spread_id: Id, hotspot_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """Change some fields; the type can't change (delete and create instead)."""
    data = scoped(req.body, "hotspot")
    with req.transaction() as tx:
        spread, publication = _spread_of(tx.session, tx.account_id, spread_id)
        view = spread_view(tx.session, spread)
        row = _hotspot_of(tx.session, view, hotspot_id)
        current = _present(tx.session, row, view)
        tx.check_if_match({"hotspot": current})
        if "type" in data and data["type"] != row.type:
            raise FieldErrors({"type": ["can't be changed; delete the hotspot and create another"]})
        kind = HotspotType(row.type)
        properties = hotspot_properties(kind, data, dict(row.properties or {}))
        if kind is HotspotType.PAGE_REFERENCE:
            # The target is kept as a page id (it follows the page); "page" is derived.
            if "page" in data:
                row.target_page_id = _target_page_id(tx.session, publication, properties["page"])
            properties.pop("page", None)
        if any(name in data for name in GEOMETRY):
            old = Rect(
                current["x"],
                current["y"],
                current["x"] + current["width"],
                current["y"] + current["height"],
            )
            page, rect = _place(view, _rect(data, old))
            row.page_id = page.id
            row.x0, row.y0, row.x1, row.y1 = rect.x0, rect.y0, rect.x1, rect.y1
        row.properties = properties
        row.updated_at = utc_now()
        body = {"hotspot": _record(tx, row, view, publication)}
        return tx.respond(200, body, etag_body=body)


@router.delete("/v2/spreads/{spread_id}/hotspots/{hotspot_id}", status_code=204)
def delete_hotspot(
    spread_id: Id, hotspot_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    with req.transaction() as tx:
        spread, publication = _spread_of(tx.session, tx.account_id, spread_id)
        view = spread_view(tx.session, spread)
        row = _hotspot_of(tx.session, view, hotspot_id)
        tx.check_if_match({"hotspot": _present(tx.session, row, view)})
        tx.session.delete(row)
        tx.changed(EntityType.HOTSPOT, hotspot_id, publication.group_id, None, ChangeOp.DELETE)
        return tx.respond(204)
