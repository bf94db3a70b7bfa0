"""Creating groups, shared by ``POST /v2/groups`` and ``folio groups create``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.enums import ChangeOp, EntityType
from app.core.slugs import slugify, unique_slug
from app.server.change_feed import PendingChange, append_changes
from app.server.models import Group
from app.server.presenters import group_data


def create_group(session: Session, account_id: int, title: str) -> dict[str, Any]:
    """A new group (slug unique across the server: it names the public URL), recorded in the
    change feed. Returns its representation with relative URLs."""

    def taken(slug: str) -> bool:
        return session.scalar(select(Group.id).where(Group.slug == slug)) is not None

    group = Group(
        account_id=account_id, title=title, slug=unique_slug(slugify(title, "group"), taken)
    )
    session.add(group)
    session.flush()
    data = group_data(group, 0)
    append_changes(
        session,
        account_id,
        [PendingChange(EntityType.GROUP, group.id, group.id, ChangeOp.UPSERT, data)],
    )
    return data
