"""Account-scoped lookups: anything outside the caller's account is "not found" (404, not 403)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.server.errors import not_found
from app.server.models import Collection, Conversion, Group, Metatag, Publication


def group_of(session: Session, account_id: int, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None or group.account_id != account_id:
        raise not_found("Group")
    return group


def publication_of(session: Session, group: Group, publication_id: int) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None or publication.group_id != group.id or publication.archived:
        raise not_found("Publication")
    return publication


def metatag_of(session: Session, group: Group, metatag_id: int) -> Metatag:
    metatag = session.get(Metatag, metatag_id)
    if metatag is None or metatag.group_id != group.id:
        raise not_found("Metatag")
    return metatag


def collection_of(session: Session, group: Group, collection_id: int) -> Collection:
    collection = session.get(Collection, collection_id)
    if collection is None or collection.group_id != group.id:
        raise not_found("Collection")
    return collection


def conversion_of(session: Session, publication: Publication, conversion_id: int) -> Conversion:
    conversion = session.get(Conversion, conversion_id)
    if conversion is None or conversion.publication_id != publication.id:
        raise not_found("Conversion")
    return conversion


def publication_counts(session: Session, group_ids: Iterable[int]) -> dict[int, int]:
    ids = list(group_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Publication.group_id, func.count())
        .where(Publication.group_id.in_(ids), Publication.archived.is_(False))
        .group_by(Publication.group_id)
    )
    counts = {group_id: 0 for group_id in ids}
    counts.update({group_id: count for group_id, count in rows})
    return counts
