"""The end of a conversion: its pages, spreads and hotspots land in one transaction, or not at
all (a failed or canceled conversion leaves the publication as it was)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.enums import (
    ChangeOp,
    ConversionSource,
    ConversionState,
    EntityType,
    PublicationState,
)
from app.core.geometry import Rect, page_fraction_to_user, user_to_page_fraction
from app.core.hotspots import AnnotationWarning, Hotspot, HotspotType
from app.core.timestamps import utc_now
from app.server.change_feed import PendingChange, append_changes
from app.server.conversion_jobs import ACTIVE_STATES, ClaimedJob, ConversionCanceled
from app.server.database import Database
from app.server.errors import ApiError
from app.server.models import Conversion, Group, HotspotRow, Page, Publication
from app.server.presenters import conversion_data
from app.server.publication_service import check_can_go_online, present_publication, set_online
from app.server.render_tasks import RenderedFiles, SourceInfo
from app.server.spread_service import (
    layout_changes,
    page_box,
    pages_of,
    rebuild_spreads,
    renumber,
)


class ApplyError(Exception):
    """The conversion can't be applied to the publication as it is now; the message says why."""


@dataclass(frozen=True)
class ConversionResult:
    info: SourceInfo
    rendered: dict[int, RenderedFiles]
    """By 1-based source page."""
    pdf_name: str


def _new_page(publication_id: int, files: RenderedFiles, info: SourceInfo) -> Page:
    box = info.boxes[files.page]
    return Page(
        publication_id=publication_id,
        position=0,
        image_name=files.image_name,
        thumbnail_name=files.thumbnail_name,
        crop_x0=box.crop.x0,
        crop_y0=box.crop.y0,
        crop_x1=box.crop.x1,
        crop_y1=box.crop.y1,
        rotation=box.rotation,
        created_at=utc_now(),
    )


def _move_hotspots(session: Session, old: Page, new: Page) -> None:
    """Keep the old page's hotspots at the same place relative to the page on its
    replacement (page sizes may differ)."""
    old_box, new_box = page_box(old), page_box(new)
    for row in session.scalars(select(HotspotRow).where(HotspotRow.page_id == old.id)):
        fraction = user_to_page_fraction(Rect.spanning(row.x0, row.y0, row.x1, row.y1), old_box)
        moved = page_fraction_to_user(fraction, new_box)
        row.page_id = new.id
        row.x0, row.y0, row.x1, row.y1 = moved.x0, moved.y0, moved.x1, moved.y1
        row.updated_at = utc_now()


def _ordered_pages(
    job: ClaimedJob, existing: list[Page], new_pages: list[Page]
) -> tuple[list[Page], list[Page]]:
    """The publication's pages after this conversion, and the pages it removes."""
    if job.source_type == ConversionSource.NEW_PUBLICATION.value:
        return new_pages, existing
    if job.source_type == ConversionSource.API_ADD_PAGES.value:
        position = job.parameters.get("position") or len(existing) + 1
        position = max(1, min(position, len(existing) + 1))
        return existing[: position - 1] + new_pages + existing[position - 1 :], []
    number = int(job.parameters["page"])
    if number > len(existing):
        raise ApplyError(f"The publication no longer has a page {number} to replace")
    return [*existing[: number - 1], new_pages[0], *existing[number:]], [existing[number - 1]]


def _carry_over(session: Session, old: Page, new: Page, *, keep_hotspots: bool) -> None:
    """A replaced page hands on what pointed at it: page references now target the new
    page, and (unless asked not to) its hotspots move onto it."""
    if keep_hotspots:
        _move_hotspots(session, old, new)
    session.execute(
        update(HotspotRow).where(HotspotRow.target_page_id == old.id).values(target_page_id=new.id)
    )


def _same_hotspot(row: HotspotRow, hotspot: Hotspot, properties: dict[str, Any]) -> bool:
    # Half a point: what a designer can't see, and what rounding in PDF writers produces.
    stored = Rect.spanning(row.x0, row.y0, row.x1, row.y1)
    return (
        row.type == hotspot.type.value
        and row.properties == properties
        and stored.is_close(hotspot.rect, 0.5)
    )


def _add_source_hotspots(
    session: Session, info: SourceInfo, by_source_page: dict[int, Page]
) -> list[AnnotationWarning]:
    warnings: list[AnnotationWarning] = []
    now = utc_now()
    found = [(h, "annotation") for h in info.hotspots] + [(h, "text") for h in info.text_hotspots]
    kept: dict[int, list[HotspotRow]] = {}
    for page in by_source_page.values():
        session.flush()
        kept[page.id] = list(
            session.scalars(select(HotspotRow).where(HotspotRow.page_id == page.id))
        )
    for hotspot, origin in found:
        page = by_source_page.get(hotspot.page)
        if page is None:
            continue
        properties = dict(hotspot.properties)
        if any(_same_hotspot(row, hotspot, properties) for row in kept[page.id]):
            continue  # a replacement page that carries the hotspot its old page had
        target_id = None
        if hotspot.type is HotspotType.PAGE_REFERENCE:
            target = by_source_page.get(int(properties.pop("page", 0) or 0))
            if target is None:
                warnings.append(
                    AnnotationWarning(
                        hotspot.page, "a link to a page that is not part of this conversion"
                    )
                )
                continue
            target_id = target.id
        rect = hotspot.rect
        session.add(
            HotspotRow(
                page_id=page.id,
                type=hotspot.type.value,
                x0=rect.x0,
                y0=rect.y0,
                x1=rect.x1,
                y1=rect.y1,
                properties=properties,
                target_page_id=target_id,
                origin=origin,
                created_at=now,
                updated_at=now,
            )
        )
    return warnings


def _deleted_hotspot_ids(session: Session, pages: Sequence[Page]) -> list[int]:
    ids = [page.id for page in pages]
    if not ids:
        return []
    return list(session.scalars(select(HotspotRow.id).where(HotspotRow.page_id.in_(ids))))


def apply_conversion(db: Database, job: ClaimedJob, result: ConversionResult) -> None:
    """Make the conversion's pages the publication's, atomically. Raises ConversionCanceled
    when it was canceled meanwhile and ApplyError when it no longer fits the publication."""
    with db.write() as session:
        # Locked: a cancel arriving now waits, then finds the conversion finished (409).
        conversion = session.get(Conversion, job.id, with_for_update=True)
        if conversion is None or conversion.state not in ACTIVE_STATES:
            raise ConversionCanceled(job.id)
        publication = session.get_one(Publication, job.publication_id)
        group = session.get_one(Group, publication.group_id)
        if publication.archived:
            raise ApplyError("The publication was archived during the conversion")
        existing = pages_of(session, publication.id)
        new_pages = [
            _new_page(publication.id, result.rendered[number], result.info)
            for number in result.info.pages
        ]
        session.add_all(new_pages)
        session.flush()
        by_source_page = dict(zip(result.info.pages, new_pages, strict=True))
        ordered, removed = _ordered_pages(job, existing, new_pages)
        if job.source_type == ConversionSource.API_REPLACE_PAGE.value:
            keep = not job.parameters.get("remove_hotspots")
            _carry_over(session, removed[0], new_pages[0], keep_hotspots=keep)
        deleted_hotspots = _deleted_hotspot_ids(session, removed)
        for page in removed:
            session.delete(page)
        session.flush()
        warnings = [AnnotationWarning(0, notice) for notice in result.info.notices]
        warnings += result.info.warnings
        warnings += _add_source_hotspots(session, result.info, by_source_page)
        renumber(ordered)
        session.flush()
        deleted_spreads = rebuild_spreads(session, publication)

        now = utc_now()
        publication.page_count = len(ordered)
        publication.cover_path = ordered[0].image_name if ordered else None
        publication.pdf_path = result.pdf_name
        publication.updated_at = now
        schedule = publication.schedule_online_at
        if schedule is not None and schedule <= now:
            try:
                check_can_go_online(session, group.account_id, publication)
            except ApiError:
                pass  # over the limit: the scheduler keeps trying and the schedule stays visible
            else:
                if publication.state != PublicationState.ONLINE.value:
                    set_online(publication, unlisted=publication.disable_seo, now=now)
                publication.schedule_online_at = None

        conversion.state = ConversionState.FINISHED.value
        conversion.converted_pages = len(result.info.pages)
        conversion.total_pages = len(result.info.pages)
        conversion.warnings = [
            # page null: about the whole document (a repaired file).
            {"page": w.page or None, "reason": w.reason}
            for w in warnings
        ] or None
        conversion.updated_at = now
        session.flush()

        changes = [
            PendingChange(EntityType.HOTSPOT, hotspot_id, group.id, ChangeOp.DELETE, None)
            for hotspot_id in deleted_hotspots
        ]
        changes += layout_changes(session, publication, deleted_spreads)
        changes.append(
            PendingChange(
                EntityType.PUBLICATION,
                publication.id,
                group.id,
                ChangeOp.UPSERT,
                present_publication(session, publication, group),
            )
        )
        changes.append(
            PendingChange(
                EntityType.CONVERSION,
                conversion.id,
                group.id,
                ChangeOp.UPSERT,
                conversion_data(conversion),
            )
        )
        append_changes(session, group.account_id, changes)
