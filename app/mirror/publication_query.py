"""Finding publications for the window's table: filters and sort in SQL, so a library of
100,000 publications opens by fetching ids only, and rows are read a block at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from app.mirror.schema import Publication


class StateFilter(StrEnum):
    """What the state filter offers: the API's states plus the sync markers."""

    ALL = "all"
    ONLINE = "online"
    UNLISTED = "unlisted"
    OFFLINE = "offline"
    PENDING = "pending"
    ATTENTION = "attention"  # a conflict or an edit the server refused


class SortKey(StrEnum):
    TITLE = "title"
    STATE = "state"
    PAGES = "page_count"
    LANGUAGE = "language"
    UPDATED = "updated_at"
    ID = "id"


_SORT_COLUMNS: dict[SortKey, Any] = {
    # Case-insensitive, as people read titles ("eBook" beside "Ebony", not after "Zebra").
    SortKey.TITLE: Publication.title.collate("NOCASE"),
    SortKey.STATE: Publication.state,
    SortKey.PAGES: Publication.page_count,
    SortKey.LANGUAGE: Publication.language,
    SortKey.UPDATED: Publication.updated_at,
    SortKey.ID: Publication.id,
}


@dataclass(frozen=True)
class PublicationQuery:
    group_id: int | None = None
    state: StateFilter = StateFilter.ALL
    collection_id: int | None = None
    metatag_id: int | None = None
    text: str = ""
    sort: SortKey = SortKey.TITLE
    descending: bool = False


@dataclass(frozen=True)
class PublicationRow:
    """What one line of the table shows: columns only, no JSON decoding."""

    id: int
    group_id: int
    title: str
    slug: str | None
    state: str
    unlisted: bool
    page_count: int
    language: str | None
    updated_at: str | None
    cover_url: str | None
    collection_id: int | None
    pending: bool
    conflict: bool
    sync_error: str | None

    @property
    def state_label(self) -> str:
        return "unlisted" if self.state == "online" and self.unlisted else self.state


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: PublicationQuery, columns: Sequence[Any]) -> Select[Any]:
    statement = select(*columns).where(Publication.local_deleted.is_(False))
    if query.group_id is not None:
        statement = statement.where(Publication.group_id == query.group_id)
    # Compared by value: a query that crossed a Qt signal carries plain strings.
    state = StateFilter(query.state)
    if state == StateFilter.ONLINE:
        statement = statement.where(
            Publication.state == "online", Publication.disable_seo.is_(False)
        )
    elif state == StateFilter.UNLISTED:
        statement = statement.where(
            Publication.state == "online", Publication.disable_seo.is_(True)
        )
    elif state == StateFilter.OFFLINE:
        statement = statement.where(Publication.state == "offline")
    elif state == StateFilter.PENDING:
        statement = statement.where(Publication.pending.is_(True))
    elif state == StateFilter.ATTENTION:
        statement = statement.where(
            or_(Publication.conflict.is_(True), Publication.sync_error.is_not(None))
        )
    if query.collection_id is not None:
        statement = statement.where(Publication.collection_id == query.collection_id)
    if query.metatag_id is not None:
        # metatag_ids lives in the row's JSON; SQLite's json_each looks inside it.
        tags = func.json_each(Publication.data, "$.metatag_ids").table_valued("value")
        statement = statement.where(
            exists(select(1).select_from(tags).where(tags.c.value == query.metatag_id))
        )
    words = query.text.split()
    for word in words:
        pattern = f"%{_escape_like(word)}%"
        conditions = [
            Publication.title.ilike(pattern, escape="\\"),
            Publication.slug.ilike(pattern, escape="\\"),
        ]
        if word.isdigit():
            conditions.append(Publication.id == int(word))
        statement = statement.where(or_(*conditions))
    return statement


def publication_ids(session: Session, query: PublicationQuery) -> list[int]:
    """The ids of every matching publication, in the query's order."""
    sort = SortKey(query.sort)
    column = _SORT_COLUMNS[sort]
    order = [column.desc() if query.descending else column.asc()]
    if sort != SortKey.ID:
        # Ties keep a stable order, so rows don't jump when the table refreshes.
        order.append(Publication.id.desc() if query.descending else Publication.id.asc())
    statement = _filtered(query, [Publication.id]).order_by(*order)
    return list(session.scalars(statement))


def publication_rows(session: Session, ids: Sequence[int]) -> dict[int, PublicationRow]:
    """The table rows of ``ids`` (missing ones left out), keyed by id."""
    if not ids:
        return {}
    statement = select(
        Publication.id,
        Publication.group_id,
        Publication.title,
        Publication.slug,
        Publication.state,
        Publication.disable_seo,
        Publication.page_count,
        Publication.language,
        Publication.updated_at,
        Publication.cover_url,
        Publication.collection_id,
        Publication.pending,
        Publication.conflict,
        Publication.sync_error,
    ).where(Publication.id.in_(list(ids)))
    rows: dict[int, PublicationRow] = {}
    for row in session.execute(statement):
        rows[row[0]] = PublicationRow(
            id=row[0],
            group_id=row[1],
            title=row[2] or "",
            slug=row[3],
            state=row[4],
            unlisted=bool(row[5]),
            page_count=row[6] or 0,
            language=row[7],
            updated_at=row[8],
            cover_url=row[9],
            collection_id=row[10],
            pending=bool(row[11]),
            conflict=bool(row[12]),
            sync_error=row[13],
        )
    return rows


def publication_counts(session: Session) -> dict[int, int]:
    """Publications per group, as the library holds them now (local edits included)."""
    statement = (
        select(Publication.group_id, func.count())
        .where(Publication.local_deleted.is_(False))
        .group_by(Publication.group_id)
    )
    return {group_id: count for group_id, count in session.execute(statement)}


def publications_using(
    session: Session, *, metatag_id: int | None = None, collection_id: int | None = None
) -> list[tuple[int, str]]:
    """(id, title) of the publications a metatag or collection is assigned to."""
    query = PublicationQuery(metatag_id=metatag_id, collection_id=collection_id)
    statement = _filtered(query, [Publication.id, Publication.title]).order_by(
        Publication.title, Publication.id
    )
    return [(row[0], row[1]) for row in session.execute(statement)]
