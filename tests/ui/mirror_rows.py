"""Filling a library directly with many publications, for the scale tests: what a sync of
a big account would leave behind, without the minutes a real server would take."""

from __future__ import annotations

from sqlalchemy import insert

from app.mirror.library import Library
from app.mirror.schema import Group, Publication

STATES = ("online", "offline", "online")
LANGUAGES = ("en", "de", "fr", "it", "es")


def publication_data(pub_id: int, group_id: int) -> dict[str, object]:
    return {
        "id": pub_id,
        "title": f"Catalogue {pub_id:06d}",
        "slug": f"catalogue-{pub_id}",
        "state": STATES[pub_id % 3],
        "disable_seo": pub_id % 7 == 0,
        "page_count": 4 + pub_id % 40,
        "language": LANGUAGES[pub_id % 5],
        "metatag_ids": [],
        "collection_id": None,
        "cover_url": None,
        "updated_at": f"2026-01-{1 + pub_id % 28:02d}T10:00:00Z",
    }


def fill_library(library: Library, count: int, groups: int = 10) -> None:
    with library.store.write() as session:
        session.execute(
            insert(Group),
            [
                {"id": g, "title": f"Group {g:02d}", "publication_count": 0, "data": {"id": g}}
                for g in range(1, groups + 1)
            ],
        )
        rows = []
        for pub_id in range(1, count + 1):
            group_id = 1 + pub_id % groups
            data = publication_data(pub_id, group_id)
            rows.append(
                {
                    "id": pub_id,
                    "group_id": group_id,
                    "title": data["title"],
                    "slug": data["slug"],
                    "state": data["state"],
                    "disable_seo": data["disable_seo"],
                    "page_count": data["page_count"],
                    "language": data["language"],
                    "updated_at": data["updated_at"],
                    "data": data,
                }
            )
        session.execute(insert(Publication), rows)
