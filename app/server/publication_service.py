"""Publication rules shared by the routes and the scheduler: presenting, going online/offline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.enums import ChangeOp, EntityType, PublicationState
from app.core.timestamps import utc_now
from app.server.change_feed import PendingChange, append_changes
from app.server.errors import ApiError, FieldErrors
from app.server.lookups import publication_counts
from app.server.models import Account, Group, Publication, publication_metatags
from app.server.presenters import group_data, publication_data

LIMIT_MESSAGE = "You have reached your publication limit"


def metatag_ids_by_publication(
    session: Session, publication_ids: Iterable[int]
) -> dict[int, list[int]]:
    ids = list(publication_ids)
    result: dict[int, list[int]] = {pid: [] for pid in ids}
    if not ids:
        return result
    rows = session.execute(
        select(publication_metatags.c.publication_id, publication_metatags.c.metatag_id).where(
            publication_metatags.c.publication_id.in_(ids)
        )
    )
    for publication_id, metatag_id in rows:
        result[publication_id].append(metatag_id)
    return result


def present_publication(session: Session, publication: Publication, group: Group) -> dict[str, Any]:
    """The publication's representation with relative URLs (see presenters.absolutize)."""
    ids = metatag_ids_by_publication(session, [publication.id])[publication.id]
    return publication_data(publication, group.slug, ids)


def present_group(session: Session, group: Group) -> dict[str, Any]:
    return group_data(group, publication_counts(session, [group.id])[group.id])


def group_change(
    session: Session, group: Group
) -> tuple[EntityType, int, int, dict[str, Any], ChangeOp]:
    return (EntityType.GROUP, group.id, group.id, present_group(session, group), ChangeOp.UPSERT)


def online_count(session: Session, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Publication)
            .join(Group, Group.id == Publication.group_id)
            .where(
                Group.account_id == account_id,
                Publication.archived.is_(False),
                Publication.state == PublicationState.ONLINE.value,
            )
        )
        or 0
    )


def limit_error() -> ApiError:
    return ApiError(
        402, LIMIT_MESSAGE, "publishing_limit_reached", extra={"errors": {"state": [LIMIT_MESSAGE]}}
    )


def check_can_go_online(session: Session, account_id: int, publication: Publication) -> None:
    """Raise 422 when nothing is converted yet, 402 when the account's online limit is reached."""
    if publication.page_count == 0:
        raise FieldErrors({"state": ["can't go online before its pages are converted"]})
    if publication.state == PublicationState.ONLINE.value:
        return
    account = session.get(Account, account_id)
    limit = account.online_limit if account is not None else None
    if limit is not None and online_count(session, account_id) >= limit:
        raise limit_error()


def set_online(publication: Publication, *, unlisted: bool, now: datetime) -> None:
    if publication.state != PublicationState.ONLINE.value:
        publication.online_at = now
    publication.state = PublicationState.ONLINE.value
    publication.disable_seo = unlisted
    publication.updated_at = now


def set_offline(publication: Publication, now: datetime) -> None:
    if publication.state != PublicationState.OFFLINE.value:
        publication.offline_at = now
    publication.state = PublicationState.OFFLINE.value
    publication.disable_seo = False
    publication.updated_at = now


def record_converted_pages(
    session: Session, publication: Publication, group: Group, page_count: int
) -> dict[str, Any]:
    """Store a finished conversion's page count and announce it in the change feed."""
    publication.page_count = page_count
    publication.updated_at = utc_now()
    session.flush()
    data = present_publication(session, publication, group)
    append_changes(
        session,
        group.account_id,
        [PendingChange(EntityType.PUBLICATION, publication.id, group.id, ChangeOp.UPSERT, data)],
    )
    return data
