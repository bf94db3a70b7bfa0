"""Product feed imports: one thread takes scheduled imports in order, streams each feed into
a staging table in batches, then replaces the group's catalogue in one transaction.

A feed that fails as a whole (unreachable, not a feed, malformed or unsafe XML) ends
``failed`` with the reason and leaves the previous catalogue as it was; refused items are
counted, and the first reasons are kept for the user.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from app.core.enums import ChangeOp, EntityType
from app.core.errors import SourceFetchError
from app.core.product_feed import FeedError, FeedItemError, iter_feed
from app.core.timestamps import utc_now
from app.server.change_feed import PendingChange, append_changes
from app.server.config import ServerConfig
from app.server.database import Database
from app.server.file_store import FileStore
from app.server.models import Group, Product, ProductFeed, ProductStaging, Upload
from app.server.presenters import product_feed_data
from app.server.source_fetch import FetchLimits, fetch_to_file

log = logging.getLogger(__name__)

BATCH = 1000  # items per staging write (and per progress update)
ERRORS_SAMPLE = 20
IDLE_POLL = 5.0
MAX_ATTEMPTS = 3
CANCEL_POLL = 1.0  # seconds between checks that a downloading import still exists
# More refused items than accepted ones means a broken feed (a changed export, the wrong
# file): keep the previous catalogue rather than replace it with the few that passed.

SCHEDULED, PROCESSING, SUCCESS, FAILED = "scheduled", "processing", "success", "failed"
RUNNING_STATES = (SCHEDULED, PROCESSING)
PRODUCT_COLUMNS = (
    "sku",
    "title",
    "description",
    "url",
    "image_url",
    "price",
    "availability",
    "brand",
)


class ImportAborted(Exception):
    """The import was deleted (or the server is stopping) while it ran."""


@dataclass(frozen=True)
class ClaimedImport:
    id: int
    group_id: int
    account_id: int
    url: str
    upload_id: int | None


@dataclass
class Tally:
    success: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] | None = None

    def record(self, feed: ProductFeed) -> None:
        """Write the counts (and the sample of refusals) to the import's row."""
        feed.success_count = self.success
        feed.failed_count = self.failed
        feed.errors_sample = list(self.errors) if self.errors else None

    def refuse(self, position: int, sku: str | None, reason: str) -> None:
        self.failed += 1
        if self.errors is None:
            self.errors = []
        if len(self.errors) < ERRORS_SAMPLE:
            self.errors.append({"position": position, "sku": sku, "reason": reason})


def announce(session: Any, account_id: int, feed: ProductFeed) -> None:
    """The import's new state in the change feed."""
    feed.updated_at = utc_now()
    session.flush()
    append_changes(
        session,
        account_id,
        [
            PendingChange(
                EntityType.PRODUCT_FEED,
                feed.id,
                feed.group_id,
                ChangeOp.UPSERT,
                product_feed_data(feed),
            )
        ],
    )


class FeedImportWorker:
    """The background thread that runs imports; ``wake()`` after scheduling one."""

    def __init__(self, db: Database, config: ServerConfig, store: FileStore) -> None:
        self.db = db
        self.config = config
        self.store = store
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._recover()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="folio-feed-imports", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _recover(self) -> None:
        """An import the last server process left ``processing`` starts again from scratch,
        unless it was already interrupted MAX_ATTEMPTS times (it may be what stops it)."""
        with self.db.write() as session:
            for feed in session.scalars(select(ProductFeed).where(ProductFeed.state == PROCESSING)):
                session.execute(delete(ProductStaging).where(ProductStaging.feed_id == feed.id))
                account_id = session.scalar(
                    select(Group.account_id).where(Group.id == feed.group_id)
                )
                if feed.attempts >= MAX_ATTEMPTS:
                    feed.state = FAILED
                    feed.error = (
                        f"The import was interrupted {feed.attempts} times (the server stopped "
                        "while it ran); the previous catalogue is kept"
                    )
                    feed.finished_at = utc_now()
                else:
                    feed.state = SCHEDULED
                    feed.success_count = feed.failed_count = 0
                if account_id is not None:
                    announce(session, account_id, feed)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._claim()
                if job is None:
                    self._wake.wait(IDLE_POLL)
                    self._wake.clear()
                    continue
                self.run_import(job)
            except Exception:
                log.exception("the feed import worker hit an unexpected error")
                self._stop.wait(IDLE_POLL)

    def _claim(self) -> ClaimedImport | None:
        with self.db.write() as session:
            feed = session.scalar(
                select(ProductFeed)
                .where(ProductFeed.state == SCHEDULED)
                .order_by(ProductFeed.id)
                .limit(1)
            )
            if feed is None:
                return None
            account_id = session.scalar(select(Group.account_id).where(Group.id == feed.group_id))
            assert account_id is not None
            feed.state = PROCESSING
            feed.attempts += 1
            feed.started_at = utc_now()
            feed.success_count = feed.failed_count = 0
            feed.errors_sample = None
            feed.error = None
            announce(session, account_id, feed)
            return ClaimedImport(feed.id, feed.group_id, account_id, feed.url, feed.upload_id)

    def run_import(self, job: ClaimedImport) -> None:
        tally = Tally()
        downloaded: Path | None = None
        try:
            source, downloaded = self._source(job)
            self._stage(job, source, tally)
            if tally.success == 0:
                refused = f"; {tally.failed} items were refused" if tally.failed else ""
                raise FeedError(f"The feed has no usable products{refused}")
            if tally.failed > tally.success:
                raise FeedError(
                    f"{tally.failed} of {tally.failed + tally.success} items were refused "
                    "(more than half; see errors_sample), so the previous catalogue is kept"
                )
            self._swap(job, tally)
            log.info("feed import %d: %d products, %d refused", job.id, tally.success, tally.failed)
        except ImportAborted:
            log.info("feed import %d stopped", job.id)
            self._clear_staging(job)
        except (FeedError, SourceFetchError) as exc:
            self._fail(job, tally, str(exc))
        except OSError as exc:
            self._fail(job, tally, f"The feed could not be read or stored: {exc.strerror}")
        except Exception:
            log.exception("feed import %d stopped on an unexpected error", job.id)
            self._fail(job, tally, "The import stopped on an internal error; see the server log")
        finally:
            if downloaded is not None:
                with contextlib.suppress(OSError):
                    downloaded.unlink()

    def _source(self, job: ClaimedImport) -> tuple[Path, Path | None]:
        if job.upload_id is not None:
            with self.db.read() as session:
                upload = session.get(Upload, job.upload_id)
                if upload is None or upload.account_id != job.account_id:
                    raise FeedError(f"Upload {job.upload_id} not found")
                name = upload.file_name
            try:
                return self.store.path_of(name), None
            except KeyError:
                raise FeedError(f"The file of upload {job.upload_id} is missing") from None
        limits = FetchLimits(
            max_bytes=self.config.max_upload_bytes, allow_private=self.config.allow_private_sources
        )
        cancel = threading.Event()

        last_check = time.monotonic()

        def watch(_received: int, _total: int | None) -> None:
            nonlocal last_check
            if self._stop.is_set():
                cancel.set()
            elif time.monotonic() - last_check >= CANCEL_POLL:
                last_check = time.monotonic()
                if not self._still_running(job):
                    cancel.set()

        target = self.config.work_dir / f"feed-{job.id}.part"
        try:
            fetched = fetch_to_file(job.url, target, limits, cancel=cancel, progress=watch)
        except SourceFetchError:
            if cancel.is_set():
                raise ImportAborted from None
            raise
        return fetched.path, fetched.path

    def _still_running(self, job: ClaimedImport) -> bool:
        with self.db.read() as session:
            state = session.scalar(select(ProductFeed.state).where(ProductFeed.id == job.id))
        return state == PROCESSING

    def _stage(self, job: ClaimedImport, source: Path, tally: Tally) -> None:
        seen: set[str] = set()
        batch: list[dict[str, Any]] = []
        for position, item in enumerate(iter_feed(source), start=1):
            if isinstance(item, FeedItemError):
                tally.refuse(item.position, item.sku, item.reason)
            elif item.sku in seen:
                tally.refuse(
                    position, item.sku, f"duplicate SKU {item.sku!r}: the first one is kept"
                )
            else:
                seen.add(item.sku)
                batch.append({"feed_id": job.id, **item.as_dict()})
                tally.success += 1
            if len(batch) >= BATCH or (tally.failed and position % BATCH == 0):
                self._write_batch(job, batch, tally)
                batch = []
        self._write_batch(job, batch, tally)

    def _write_batch(self, job: ClaimedImport, batch: list[dict[str, Any]], tally: Tally) -> None:
        if self._stop.is_set():
            raise ImportAborted
        with self.db.write() as session:
            feed = session.get(ProductFeed, job.id)
            if feed is None or feed.state != PROCESSING:
                raise ImportAborted  # deleted while it ran
            if batch:
                session.execute(insert(ProductStaging.__table__), batch)
            tally.record(feed)
            feed.updated_at = utc_now()

    def _swap(self, job: ClaimedImport, tally: Tally) -> None:
        columns = [getattr(ProductStaging, name) for name in PRODUCT_COLUMNS]
        with self.db.write() as session:
            feed = session.get(ProductFeed, job.id)
            if feed is None or feed.state != PROCESSING:
                raise ImportAborted
            session.execute(delete(Product).where(Product.group_id == job.group_id))
            session.execute(
                insert(Product).from_select(
                    ["group_id", *PRODUCT_COLUMNS],
                    select(feed.group_id, *columns)  # type: ignore[call-overload]
                    .where(ProductStaging.feed_id == job.id)
                    .order_by(ProductStaging.id),
                )
            )
            session.execute(delete(ProductStaging).where(ProductStaging.feed_id == job.id))
            feed.state = SUCCESS
            tally.record(feed)
            feed.finished_at = utc_now()
            announce(session, job.account_id, feed)

    def _fail(self, job: ClaimedImport, tally: Tally, reason: str) -> None:
        log.info("feed import %d failed: %s", job.id, reason)
        try:
            self._record_failure(job, tally, reason)
        except Exception:
            # The database itself is failing; the next start recovers the import.
            log.exception("could not record the failure of feed import %d", job.id)

    def _record_failure(self, job: ClaimedImport, tally: Tally, reason: str) -> None:
        with self.db.write() as session:
            session.execute(delete(ProductStaging).where(ProductStaging.feed_id == job.id))
            feed = session.get(ProductFeed, job.id)
            if feed is None or feed.state != PROCESSING:
                return
            feed.state = FAILED
            feed.error = reason
            tally.record(feed)
            feed.finished_at = utc_now()
            announce(session, job.account_id, feed)

    def _clear_staging(self, job: ClaimedImport) -> None:
        with self.db.write() as session:
            session.execute(delete(ProductStaging).where(ProductStaging.feed_id == job.id))
