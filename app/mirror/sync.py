"""One sync: push the outbox, then pull (the change feed, or full lists without one).

Called from a worker thread (the GUI) or ``folio sync``; reports progress through a
callback and stops between requests when the cancel event is set. Nothing local is lost
whatever happens: unsent edits stay in the outbox, and a pull page is applied with its
cursor in one transaction or not at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.client.api import has_change_feed
from app.client.errors import (
    AuthenticationError,
    CancelledError,
    ClientError,
    MalformedResponseError,
    TransportError,
)
from app.client.transport import ApiSession
from app.mirror.feed_pull import pull_changes
from app.mirror.full_pull import pull_full
from app.mirror.outbox import EntryState, now_text
from app.mirror.outbox_push import push_outbox
from app.mirror.schema import Base, OutboxEntry, Server, SyncState
from app.mirror.store import MirrorError, MirrorStore
from app.mirror.sync_lock import SyncBusyError, sync_lock

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

KEY_REVOKED_MESSAGE = (
    "The server refused the API key: it was revoked or is unknown. Nothing local was "
    "deleted; enter a new key (Settings, or FOLIO_API_KEY) and sync again"
)


class SyncStatus(StrEnum):
    OK = "ok"
    OFFLINE = "offline"  # the server could not be reached; edits wait in the outbox
    KEY_REVOKED = "key_revoked"
    CANCELLED = "cancelled"
    ERROR = "error"  # a malformed answer, or the mirror file could not be written
    BUSY = "busy"  # another sync of this library is running; nothing was done


@dataclass
class SyncReport:
    status: SyncStatus
    message: str | None = None
    pushed: int = 0
    failed: int = 0
    conflicts: int = 0
    kept: int = 0
    pulled: int = 0
    full_pull: bool = False
    seconds: float = 0.0
    pending: int = 0
    open_conflicts: int = 0
    # (type, temporary id, server id) for each offline creation the server accepted.
    adopted: list[tuple[str, int, int]] = field(default_factory=list)


def server_row(store: MirrorStore, url: str) -> int:
    """The id of this mirror's server row, created on first use."""
    with store.write() as session:
        server = session.scalar(select(Server).order_by(Server.id).limit(1))
        if server is None:
            server = Server(url=url, key_status="unknown")
            session.add(server)
            session.flush()
        elif server.url != url:
            # The embedded server's port changes between runs: its URLs in the mirror follow.
            _rewrite_base_url(session, server.url, url)
            server.url = url
        return server.id


def _rewrite_base_url(session: Session, old: str, new: str) -> None:
    before, after = f'"{old.rstrip("/")}/', f'"{new.rstrip("/")}/'
    for table in Base.metadata.sorted_tables:
        for name in ("data", "server_data", "payload"):
            if name in table.c:
                column = table.c[name]
                session.execute(
                    update(table)
                    .where(column.is_not(None))
                    .values({name: func.replace(cast(column, Text), before, after)})
                )


def synchronize(
    store: MirrorStore,
    api: ApiSession,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    use_change_feed: bool | None = None,
) -> SyncReport:
    """Push, then pull. Never raises for network, server or key problems: the report says
    what happened. Raises MirrorError only when the mirror can't even record the result."""
    try:
        with sync_lock(store.path):
            return _synchronize(store, api, progress, cancel, use_change_feed)
    except SyncBusyError as exc:
        return SyncReport(SyncStatus.BUSY, str(exc))


def _synchronize(
    store: MirrorStore,
    api: ApiSession,
    progress: Progress | None,
    cancel: threading.Event | None,
    use_change_feed: bool | None,
) -> SyncReport:
    started = time.perf_counter()
    report = SyncReport(SyncStatus.OK)
    server_id = server_row(store, api.base_url)
    try:
        pushed = push_outbox(store, api, progress=progress, cancel=cancel)
        report.pushed, report.failed = pushed.pushed, pushed.failed
        report.conflicts, report.kept = pushed.conflicts, pushed.kept
        report.adopted = pushed.adopted
        feed = _has_change_feed(store, api, server_id, use_change_feed, cancel)
        if feed:
            report.pulled = pull_changes(store, api, server_id, progress=progress, cancel=cancel)
        else:
            report.full_pull = True
            report.pulled = pull_full(store, api, progress=progress, cancel=cancel)
        _set_key_status(store, server_id, "ok")
    except AuthenticationError:
        report.status, report.message = SyncStatus.KEY_REVOKED, KEY_REVOKED_MESSAGE
        _set_key_status(store, server_id, "revoked")
    except TransportError as exc:
        report.status, report.message = SyncStatus.OFFLINE, str(exc)
    except CancelledError:
        report.status, report.message = SyncStatus.CANCELLED, "Sync cancelled"
    except (MalformedResponseError, MirrorError, ClientError) as exc:
        report.status, report.message = SyncStatus.ERROR, str(exc)
    except IntegrityError:
        log.exception("sync could not store the server's data")
        report.status = SyncStatus.ERROR
        report.message = "The server sent data the local library can't store; see the log"
    report.seconds = time.perf_counter() - started
    _record(store, server_id, report)
    log.info(
        "sync %s: pushed %d, failed %d, conflicts %d, pulled %d in %.2f s",
        report.status,
        report.pushed,
        report.failed,
        report.conflicts,
        report.pulled,
        report.seconds,
    )
    return report


def _has_change_feed(
    store: MirrorStore,
    api: ApiSession,
    server_id: int,
    forced: bool | None,
    cancel: threading.Event | None,
) -> bool:
    if forced is not None:
        return forced
    with store.read() as session:
        known = session.get(Server, server_id)
        if known is not None and known.has_change_feed is not None:
            return known.has_change_feed
    found = has_change_feed(api, cancel)
    with store.write() as session:
        server = session.get(Server, server_id)
        if server is not None:
            server.has_change_feed = found
    return found


def _set_key_status(store: MirrorStore, server_id: int, status: str) -> None:
    try:
        with store.write() as session:
            server = session.get(Server, server_id)
            if server is not None:
                server.key_status = status
    except MirrorError:
        log.warning("could not record the key status in the mirror")


def _record(store: MirrorStore, server_id: int, report: SyncReport) -> None:
    with store.write() as session:
        state = session.get(SyncState, server_id)
        if state is None:
            state = SyncState(server_id=server_id, cursor=0)
            session.add(state)
        if report.status is SyncStatus.OK:
            state.last_sync_at = now_text()
        state.last_status = report.status.value
        state.last_error = report.message
        counts: dict[str, int] = {
            state: count
            for state, count in session.execute(
                select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)
            )
        }
    report.pending = sum(counts.values())
    report.open_conflicts = counts.get(EntryState.CONFLICT.value, 0)
