"""The conversions table as a job queue: claim, progress, finish, fail, recover.

Every state change is its own short transaction with a change-feed entry, so clients see
progress as it happens. A conversion is claimed only when no other conversion of the same
publication is running: each one builds on the pages the previous one left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.enums import ChangeOp, ConversionState, EntityType
from app.core.timestamps import utc_now
from app.server.change_feed import PendingChange, append_changes
from app.server.database import Database
from app.server.models import Conversion, Group, Publication
from app.server.presenters import conversion_data

log = logging.getLogger(__name__)

ACTIVE_STATES = (ConversionState.PREPARING.value, ConversionState.CONVERTING.value)
MAX_ATTEMPTS = 3


class ConversionCanceled(Exception):
    """The conversion was canceled (or removed) while it ran."""


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    publication_id: int
    group_id: int
    account_id: int
    source_type: str
    source_url: str | None
    parameters: dict[str, Any]
    extraction_options: dict[str, Any] | None
    attempts: int


def record(session: Session, conversion: Conversion, account_id: int) -> None:
    """Announce the conversion's current state in the change feed."""
    conversion.updated_at = utc_now()
    session.flush()
    append_changes(
        session,
        account_id,
        [
            PendingChange(
                EntityType.CONVERSION,
                conversion.id,
                conversion.group_id,
                ChangeOp.UPSERT,
                conversion_data(conversion),
            )
        ],
    )


def _account_of(session: Session, conversion: Conversion) -> int:
    return session.get_one(Group, conversion.group_id).account_id


def claim_next(db: Database) -> ClaimedJob | None:
    """Take the oldest waiting conversion whose publication has none running."""
    with db.write() as session:
        running = select(Conversion.publication_id).where(Conversion.state.in_(ACTIVE_STATES))
        archived = select(Publication.id).where(Publication.archived.is_(True))
        conversion = session.scalar(
            select(Conversion)
            .where(
                Conversion.state == ConversionState.NEW.value,
                Conversion.publication_id.not_in(running),
                Conversion.publication_id.not_in(archived),
            )
            .order_by(Conversion.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if conversion is None:
            return None
        conversion.state = ConversionState.PREPARING.value
        conversion.attempts += 1
        conversion.state_details = None
        account_id = _account_of(session, conversion)
        record(session, conversion, account_id)
        return ClaimedJob(
            id=conversion.id,
            publication_id=conversion.publication_id,
            group_id=conversion.group_id,
            account_id=account_id,
            source_type=conversion.source_type,
            source_url=conversion.source_url,
            parameters=dict(conversion.parameters or {}),
            extraction_options=conversion.extraction_options,
            attempts=conversion.attempts,
        )


def update_running(db: Database, job: ClaimedJob, **fields: Any) -> None:
    """Set fields of a running conversion; raises ConversionCanceled if it was canceled."""
    with db.write() as session:
        conversion = session.get(Conversion, job.id, with_for_update=True)
        if conversion is None or conversion.state not in ACTIVE_STATES:
            raise ConversionCanceled(job.id)
        for name, value in fields.items():
            setattr(conversion, name, value)
        record(session, conversion, job.account_id)


def fail(db: Database, job: ClaimedJob, message: str) -> None:
    """End a conversion as failed with ``message`` (shown to users as state_details.error)."""
    with db.write() as session:
        conversion = session.get(Conversion, job.id, with_for_update=True)
        if conversion is None or conversion.state not in ACTIVE_STATES:
            return
        conversion.state = ConversionState.FAILED.value
        conversion.state_details = {"error": message}
        record(session, conversion, job.account_id)
    log.info("conversion %s failed: %s", job.id, message)


def requeue(db: Database, job: ClaimedJob) -> None:
    """Put a running conversion back in the queue (its work is redone from the start)."""
    with db.write() as session:
        conversion = session.get(Conversion, job.id)
        if conversion is None or conversion.state not in ACTIVE_STATES:
            return
        conversion.state = ConversionState.NEW.value
        conversion.converted_pages = 0
        record(session, conversion, job.account_id)


def recover_interrupted(db: Database) -> int:
    """Conversions left running by a stopped server: queue them again, or fail them once
    they were interrupted ``MAX_ATTEMPTS`` times. Returns how many were touched."""
    with db.write() as session:
        stuck = list(session.scalars(select(Conversion).where(Conversion.state.in_(ACTIVE_STATES))))
        for conversion in stuck:
            if conversion.attempts >= MAX_ATTEMPTS:
                conversion.state = ConversionState.FAILED.value
                conversion.state_details = {
                    "error": f"The server stopped during this conversion {conversion.attempts} "
                    "times; giving up. Start it again to retry."
                }
            else:
                conversion.state = ConversionState.NEW.value
                conversion.converted_pages = 0
            record(session, conversion, _account_of(session, conversion))
    if stuck:
        log.warning("recovered %d interrupted conversion(s)", len(stuck))
    return len(stuck)
