"""Pages, spreads and hotspots of a publication: layout, geometry and representations.

Hotspots are stored on their page in PDF user space; everything a client sees in spread
fractions (top-left origin) is derived here, so moving pages or changing the layout never
moves a hotspot on its page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.enums import ChangeOp, EntityType, LayoutType
from app.core.geometry import PageBox, Rect, SpreadLayout, user_to_page_fraction
from app.core.spreads import spread_page_groups
from app.core.timestamps import format_datetime, utc_now
from app.server.change_feed import PendingChange
from app.server.models import HotspotRow, Page, Publication, Spread
from app.server.presenters import file_url


def page_box(page: Page) -> PageBox:
    return PageBox(Rect(page.crop_x0, page.crop_y0, page.crop_x1, page.crop_y1), page.rotation)


def pages_of(session: Session, publication_id: int) -> list[Page]:
    return list(
        session.scalars(
            select(Page).where(Page.publication_id == publication_id).order_by(Page.position)
        )
    )


def renumber(pages: Sequence[Page]) -> None:
    """Positions 1..n in the given order."""
    for number, page in enumerate(pages, start=1):
        page.position = number


@dataclass(frozen=True)
class SpreadView:
    """A spread with its pages (in order) and its geometry."""

    spread: Spread
    pages: list[Page]

    @property
    def layout(self) -> SpreadLayout:
        return SpreadLayout([page_box(page) for page in self.pages])


def spread_views(session: Session, publication_id: int) -> list[SpreadView]:
    spreads = list(
        session.scalars(
            select(Spread).where(Spread.publication_id == publication_id).order_by(Spread.position)
        )
    )
    by_spread: dict[int, list[Page]] = {spread.id: [] for spread in spreads}
    for page in pages_of(session, publication_id):
        if page.spread_id in by_spread:
            by_spread[page.spread_id].append(page)
    return [SpreadView(spread, by_spread[spread.id]) for spread in spreads]


def spread_view(session: Session, spread: Spread) -> SpreadView:
    pages = list(
        session.scalars(select(Page).where(Page.spread_id == spread.id).order_by(Page.position))
    )
    return SpreadView(spread, pages)


def rebuild_spreads(session: Session, publication: Publication) -> list[int]:
    """Lay the publication's pages out in spreads again; returns the ids of deleted spreads.

    A spread whose pages are unchanged keeps its id, so clients holding it stay valid.
    """
    pages = pages_of(session, publication.id)
    renumber(pages)
    existing = list(session.scalars(select(Spread).where(Spread.publication_id == publication.id)))
    members: dict[int, list[int]] = {spread.id: [] for spread in existing}
    for page in pages:
        if page.spread_id in members:
            members[page.spread_id].append(page.id)
    reusable = {tuple(ids): spread_id for spread_id, ids in members.items() if ids}
    groups = spread_page_groups(len(pages), LayoutType(publication.layout_type))
    kept: set[int] = set()
    for position, numbers in enumerate(groups, start=1):
        group_pages = [pages[number - 1] for number in numbers]
        spread_id = reusable.get(tuple(page.id for page in group_pages))
        if spread_id is None or spread_id in kept:
            spread = Spread(publication_id=publication.id, position=position, created_at=utc_now())
            session.add(spread)
            session.flush()
            spread_id = spread.id
        else:
            spread = session.get_one(Spread, spread_id)
            spread.position = position
        kept.add(spread_id)
        for page in group_pages:
            page.spread_id = spread_id
    gone = [spread.id for spread in existing if spread.id not in kept]
    if gone:
        session.execute(delete(Spread).where(Spread.id.in_(gone)))
    session.flush()
    return gone


def page_data(page: Page) -> dict[str, Any]:
    width, height = page_box(page).display_size
    return {
        "number": page.position,
        "width": round(width, 3),
        "height": round(height, 3),
        "rotation": page.rotation,
        "image_url": file_url(page.image_name),
        "thumbnail_url": file_url(page.thumbnail_name),
    }


def spread_data(view: SpreadView) -> dict[str, Any]:
    width, height = view.layout.size if view.pages else (0.0, 0.0)
    return {
        "id": view.spread.id,
        "publication_id": view.spread.publication_id,
        "position": view.spread.position,
        "page_numbers": [page.position for page in view.pages],
        "width": round(width, 3),
        "height": round(height, 3),
        "pages": [page_data(page) for page in view.pages],
    }


def hotspot_data(
    row: HotspotRow, view: SpreadView, target_numbers: dict[int, int] | None = None
) -> dict[str, Any]:
    """The API representation: spread fractions (top-left origin) plus, as ext fields, the page
    it sits on and its rectangle in that page's PDF user space."""
    index = next(i for i, page in enumerate(view.pages) if page.id == row.page_id)
    page = view.pages[index]
    user_rect = Rect.spanning(row.x0, row.y0, row.x1, row.y1)
    fraction = view.layout.page_to_spread(index, user_to_page_fraction(user_rect, page_box(page)))
    properties = dict(row.properties or {})
    if row.type == "page_reference":
        target = (target_numbers or {}).get(row.target_page_id or 0)
        properties["page"] = target
    if row.type == "product":
        # Resolved against the group's catalogue once product feeds exist (next issues).
        properties.setdefault("products", [])
    return {
        "id": row.id,
        "spread_id": view.spread.id,
        "type": row.type,
        "x": fraction.x0,
        "y": fraction.y0,
        "width": fraction.width,
        "height": fraction.height,
        **properties,
        "on_page": page.position,
        "page_rect": [user_rect.x0, user_rect.y0, user_rect.x1, user_rect.y1],
        "origin": row.origin,
        "created_at": format_datetime(row.created_at),
        "updated_at": format_datetime(row.updated_at),
    }


def page_numbers_by_id(session: Session, publication_id: int) -> dict[int, int]:
    rows = session.execute(
        select(Page.id, Page.position).where(Page.publication_id == publication_id)
    )
    return {page_id: position for page_id, position in rows}


def hotspots_on(session: Session, page_ids: Iterable[int]) -> list[HotspotRow]:
    ids = list(page_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(HotspotRow).where(HotspotRow.page_id.in_(ids)).order_by(HotspotRow.id)
        )
    )


def layout_changes(
    session: Session, publication: Publication, deleted_spreads: Iterable[int] = ()
) -> list[PendingChange]:
    """Change-feed entries for every spread and hotspot of a publication after its pages or
    layout changed (their fractions and page numbers may all have moved)."""
    group_id = publication.group_id
    changes = [
        PendingChange(EntityType.SPREAD, spread_id, group_id, ChangeOp.DELETE, None)
        for spread_id in deleted_spreads
    ]
    numbers = page_numbers_by_id(session, publication.id)
    for view in spread_views(session, publication.id):
        changes.append(
            PendingChange(
                EntityType.SPREAD, view.spread.id, group_id, ChangeOp.UPSERT, spread_data(view)
            )
        )
        for row in hotspots_on(session, (page.id for page in view.pages)):
            changes.append(
                PendingChange(
                    EntityType.HOTSPOT,
                    row.id,
                    group_id,
                    ChangeOp.UPSERT,
                    hotspot_data(row, view, numbers),
                )
            )
    return changes
