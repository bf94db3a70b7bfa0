"""Acts on publication schedules: online when schedule_online_at passes (once pages exist),
offline when schedule_offline_at passes. A schedule is cleared once it has been acted on.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import SQLAlchemyError

from app.core.enums import ChangeOp, EntityType, PublicationState
from app.core.timestamps import utc_now
from app.server.change_feed import PendingChange, append_changes
from app.server.database import Database
from app.server.errors import ApiError
from app.server.models import Group, IdempotencyRecord, Publication
from app.server.publication_service import (
    check_can_go_online,
    present_publication,
    set_offline,
    set_online,
)

log = logging.getLogger(__name__)


def apply_due_schedules(db: Database, now: datetime | None = None) -> int:
    """Flip every publication whose schedule time has passed. Returns how many changed."""
    moment = now or utc_now()
    changed = 0
    with db.write() as session:
        due = session.execute(
            select(Publication, Group)
            .join(Group, Group.id == Publication.group_id)
            .where(
                Publication.archived.is_(False),
                or_(
                    Publication.schedule_online_at <= moment,
                    Publication.schedule_offline_at <= moment,
                ),
            )
            .order_by(Publication.id)
        ).all()
        changes: dict[int, list[PendingChange]] = {}
        for publication, group in due:
            acted = False
            online_due = (
                publication.schedule_online_at is not None
                and publication.schedule_online_at <= moment
            )
            offline_due = (
                publication.schedule_offline_at is not None
                and publication.schedule_offline_at <= moment
            )
            if online_due and not offline_due:
                try:
                    check_can_go_online(session, group.account_id, publication)
                except ApiError as refusal:
                    # Not converted yet: wait. Over the limit: leave the schedule for the user to see.
                    log.info(
                        "schedule of publication %s waits: %s", publication.id, refusal.message
                    )
                else:
                    set_online(publication, unlisted=publication.disable_seo, now=moment)
                    publication.schedule_online_at = None
                    acted = True
            if offline_due:
                if publication.state == PublicationState.ONLINE.value:
                    set_offline(publication, moment)
                publication.schedule_offline_at = None
                if online_due:
                    publication.schedule_online_at = None
                publication.updated_at = moment
                acted = True
            if acted:
                session.flush()
                changed += 1
                changes.setdefault(group.account_id, []).append(
                    PendingChange(
                        EntityType.PUBLICATION,
                        publication.id,
                        group.id,
                        ChangeOp.UPSERT,
                        present_publication(session, publication, group),
                    )
                )
        for account_id, entries in changes.items():
            append_changes(session, account_id, entries)
    if changed:
        log.info("scheduler changed %d publication(s)", changed)
    return changed


def purge_idempotency_records(db: Database, older_than: timedelta) -> int:
    """Forget stored responses past their replay window. Returns how many were removed."""
    with db.write() as session:
        result = session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utc_now() - older_than)
        )
    return int(getattr(result, "rowcount", 0) or 0)


class Scheduler:
    """A daemon thread running ``apply_due_schedules`` every ``interval`` seconds, and the
    idempotency purge every few minutes."""

    PURGE_EVERY = 300.0

    def __init__(self, db: Database, interval: float, idempotency_ttl: timedelta) -> None:
        self.db = db
        self.interval = interval
        self.idempotency_ttl = idempotency_ttl
        self._last_purge = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="folio-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                apply_due_schedules(self.db)
                if time.monotonic() - self._last_purge > self.PURGE_EVERY:
                    self._last_purge = time.monotonic()
                    purge_idempotency_records(self.db, self.idempotency_ttl)
            except SQLAlchemyError:
                log.exception("scheduler pass failed; will retry")
