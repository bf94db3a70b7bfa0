"""One run of the demo: the server's app without its listener or background threads, driven
from here. Route handlers write the groups, metatags, collections, publications and the
product feed; the server's FeedImportWorker and ConversionWorker code imports the feed and
converts the PDFs in the calling thread. Each part is made only when it is missing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from app.core.enums import ConversionState, KeyScope
from app.core.errors import FolioError
from app.core.slugs import slugify
from app.core.timestamps import format_datetime, utc_now
from app.pdf.demo_documents import demo_pdf
from app.server.accounts import Principal, ensure_account
from app.server.app_factory import create_app
from app.server.config import DEFAULT_HOST, DEFAULT_PORT
from app.server.conversion_jobs import ACTIVE_STATES, claim_next
from app.server.conversion_worker import ConversionWorker
from app.server.database import Database
from app.server.demo_content import BRAND, ITEMS, DemoGroup, DemoPublication, feed_xml
from app.server.embedded import FIRST_GROUP_TITLE, LOCAL_ACCOUNT, embedded_config
from app.server.errors import ApiError, FieldErrors
from app.server.feed_import import RUNNING_STATES, SUCCESS, FeedImportWorker
from app.server.group_service import create_group
from app.server.models import (
    Collection,
    Conversion,
    Group,
    Metatag,
    Product,
    ProductFeed,
    Publication,
)
from app.server.render_pool import RenderPool
from app.server.routes import (
    collections,
    metatags,
    product_feeds,
    publication_states,
    publications,
)

# The upload route's own spooling and storing, so a demo file is an upload like any other.
from app.server.routes.uploads import _Spool, _store_upload
from app.server.write_context import WriteRequest

log = logging.getLogger(__name__)

T = TypeVar("T")
DemoProgress = Callable[[str, int, int], None]
"""``progress(what is being done, steps done, steps in all)``."""

FILES_DIR = "demo"
FEED_FILE = "fjord-and-field-products.xml"
# Upload URLs name this server by `folio serve`'s default address; conversions and imports
# find an upload by its id, whatever port the embedded server has later.
BASE_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
OTHERS_TIMEOUT = 120.0  # seconds to wait for work a running server's workers took over
OTHERS_POLL = 0.1


class DemoError(FolioError):
    """The demo could not be created; the message says why. What was made so far stays, and
    running it again completes it."""


class DemoCanceled(DemoError):
    """``cancel`` was set; what was made so far stays, and running it again completes it."""


class _InlinePool(RenderPool):
    """The server's rendering tasks, run in this thread instead of spawned processes: the
    demo's pages are few and simple, and a spawned process needs over a second to import
    PyMuPDF before it draws anything (this process has it imported already)."""

    def __init__(self) -> None:
        super().__init__(1)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def call(self, fn: Callable[..., T], *args: Any, timeout: float) -> T:
        return fn(*args)


def _reason(exc: ApiError) -> str:
    if isinstance(exc, FieldErrors):
        return "; ".join(f"{name} {', '.join(texts)}" for name, texts in exc.errors.items())
    return exc.message


@dataclass
class _Plan:
    group_id: int
    spec: DemoGroup
    missing: list[DemoPublication]
    needs_catalogue: bool


class DemoRun:
    """One run: the server's app without its listener or background threads; its route
    handlers and workers are driven from here, in turn."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        progress: DemoProgress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.db = db
        self.config = embedded_config(data_dir, db.url)
        self.app = create_app(self.config, db)  # migrates the database
        self.conversions: ConversionWorker = self.app.state.conversions
        self.conversions.pool = _InlinePool()
        self.feed_imports: FeedImportWorker = self.app.state.feed_imports
        # Handlers reach the app through the request only to wake its workers.
        self.request = Request({"type": "http", "app": self.app})
        self.files_dir = data_dir / FILES_DIR
        self.progress = progress
        self.cancel = cancel
        self.done, self.total = 0, 1
        self.created = False
        # key_id 0: no API key is involved, the caller is this process.
        self.principal = Principal(self._local_account(), 0, KeyScope.ADMIN)

    # -- plumbing -------------------------------------------------------------------------

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise DemoCanceled("The demo workspace was canceled; run it again to complete it")

    def step(self, what: str) -> None:
        self.check_cancel()
        if self.progress is not None:
            self.progress(what, self.done, self.total)
        self.done += 1

    def write(self, body: dict[str, Any]) -> WriteRequest:
        return WriteRequest(
            db=self.db,
            principal=self.principal,
            body=body,
            base_url=BASE_URL,
            idempotency_key=None,
            fingerprint="",
            if_match=None,
            idempotency_ttl=timedelta(seconds=self.config.idempotency_ttl_seconds),
        )

    def call(self, what: str, handler: Callable[..., Response], *args: Any) -> dict[str, Any]:
        """A route handler's answer as data; its refusal as a DemoError naming ``what``."""
        try:
            response = handler(*args)
        except ApiError as exc:
            raise DemoError(f"Could not {what}: {_reason(exc)}") from None
        self.created = True
        return json.loads(bytes(response.body)) if response.body else {}

    def _local_account(self) -> int:
        with self.db.write() as session:
            account = ensure_account(session, LOCAL_ACCOUNT)
            # As the embedded server does on a first start: the user's own group comes first.
            if session.scalar(select(Group.id).where(Group.account_id == account.id)) is None:
                create_group(session, account.id, FIRST_GROUP_TITLE)
            return account.id

    def upload(self, name: str, data: bytes, content_type: str) -> str:
        """Keep ``data`` in the demo folder and upload it as POST /v2/uploads does; returns
        the upload's source_url."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        (self.files_dir / name).write_bytes(data)
        spool = _Spool(self.config.work_dir, self.config.max_upload_bytes)
        try:
            spool.write(data)
            spool.close()
        except BaseException:
            spool.discard()
            raise
        answer = _store_upload(
            self.db,
            self.app.state.files,
            spool,
            Path(name).suffix,
            self.principal.account_id,
            name,
            content_type,
            BASE_URL,
        )
        return str(answer["upload"]["source_url"])

    # -- the parts ------------------------------------------------------------------------

    def plan(self, spec: DemoGroup) -> _Plan:
        account_id = self.principal.account_id
        with self.db.write() as session:
            group_id = session.scalar(
                select(Group.id).where(Group.account_id == account_id, Group.title == spec.title)
            )
            if group_id is None:
                self.created = True
                group_id = int(create_group(session, account_id, spec.title)["id"])
            # An archived publication counts as made: the user removed it.
            titles = set(
                session.scalars(select(Publication.title).where(Publication.group_id == group_id))
            )
            has_products = session.scalar(select(Product.id).where(Product.group_id == group_id))
        missing = [p for p in spec.publications if p.title not in titles]
        return _Plan(group_id, spec, missing, spec.with_catalogue and has_products is None)

    def metatags(self, group_id: int, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        with self.db.read() as session:
            rows = session.execute(
                select(Metatag.category, Metatag.value, Metatag.id).where(
                    Metatag.group_id == group_id
                )
            )
            ids = {(category, value): tag_id for category, value, tag_id in rows}
        for category, value in sorted(wanted - set(ids)):
            answer = self.call(
                f"create the metatag {category}: {value}",
                metatags.create_metatag,
                group_id,
                self.write({"metatag": {"category": category, "value": value}}),
            )
            ids[(category, value)] = answer["metatag"]["id"]
        return ids

    def collections(self, group_id: int, titles: tuple[str, ...]) -> dict[str, int]:
        with self.db.read() as session:
            rows = session.execute(
                select(Collection.title, Collection.id).where(Collection.group_id == group_id)
            )
            ids = {title: collection_id for title, collection_id in rows}
        for title in titles:
            if title not in ids:
                answer = self.call(
                    f"create the collection {title!r}",
                    collections.create_collection,
                    group_id,
                    self.write({"collection": {"title": title}}),
                )
                ids[title] = answer["collection"]["id"]
        return ids

    def catalogue(self, group_id: int) -> None:
        """Import the product feed (or finish an import that is under way)."""
        self.step("Importing the product catalogue")
        with self.db.read() as session:
            feed_id = session.scalar(
                select(ProductFeed.id).where(
                    ProductFeed.group_id == group_id, ProductFeed.state.in_(RUNNING_STATES)
                )
            )
        if feed_id is None:
            feed = feed_xml([item for item in ITEMS.values() if item.in_feed])
            url = self.upload(FEED_FILE, feed, "application/rss+xml")
            answer = self.call(
                "create the product feed",
                product_feeds.create_product_feed,
                self.request,
                group_id,
                self.write({"product_feed": {"url": url}}),
            )
            feed_id = answer["product_feed"]["id"]
        # The worker's own claim (private, but the loop around it is the worker thread's).
        while (job := self.feed_imports._claim()) is not None:
            self.feed_imports.run_import(job)
        self._wait_for_import(feed_id)

    def _wait_for_import(self, feed_id: int) -> None:
        """Until the import succeeded (a server running on the same data dir may have taken
        it over); raises DemoError when it failed."""
        deadline = time.monotonic() + OTHERS_TIMEOUT
        while True:
            with self.db.read() as session:
                feed = session.get(ProductFeed, feed_id)
                state, error = (feed.state, feed.error) if feed else ("deleted", None)
            if state == SUCCESS:
                return
            if state not in RUNNING_STATES or time.monotonic() > deadline:
                reason = error or f"the import ended {state}"
                raise DemoError(f"Could not import the demo product catalogue: {reason}")
            time.sleep(OTHERS_POLL)

    def publication(
        self,
        plan: _Plan,
        spec: DemoPublication,
        tags: dict[tuple[str, str], int],
        collection_ids: dict[str, int],
    ) -> None:
        self.step(f"Creating {spec.title}")
        pdf = demo_pdf(spec.document)
        url = self.upload(f"{slugify(spec.title)}.pdf", pdf, "application/pdf")
        now = utc_now()
        fields: dict[str, Any] = {
            "title": spec.title,
            "source_url": url,
            "browser_title": f"{spec.title} | {BRAND}",
            "description": spec.description,
            "language": spec.language,
            "metatag_ids": [tags[tag] for tag in spec.tags],
            "layout_type": spec.layout_type,
            "valid_from": spec.valid_from,
            "extraction_options": spec.extraction_options,
        }
        if spec.collection:
            fields["collection_id"] = collection_ids[spec.collection]
        for name, days in (
            ("schedule_online_at", spec.online_in_days),
            ("schedule_offline_at", spec.offline_in_days),
        ):
            if days is not None:
                fields[name] = format_datetime(now + timedelta(days=days))
        self.call(
            f"create the publication {spec.title!r}",
            publications.create_publication,
            self.request,
            plan.group_id,
            self.write({"publication": fields}),
        )

    def demo_publications(self, plans: list[_Plan]) -> dict[int, tuple[int, DemoPublication]]:
        """Every live demo publication, made by this run or an earlier one, by id: its group
        id and what it should be."""
        found: dict[int, tuple[int, DemoPublication]] = {}
        with self.db.read() as session:
            for plan in plans:
                specs = {spec.title: spec for spec in plan.spec.publications}
                rows = session.execute(
                    select(Publication.id, Publication.title).where(
                        Publication.group_id == plan.group_id, Publication.archived.is_(False)
                    )
                )
                found.update(
                    (publication_id, (plan.group_id, specs[title]))
                    for publication_id, title in rows
                    if title in specs
                )
        return found

    def convert(self, demo: dict[int, DemoPublication]) -> None:
        """Run the waiting conversions with the server's worker code in this thread, then
        make sure every demo publication's conversion finished."""
        waiting = self._waiting(demo)
        self.total = self.done + len(waiting) + 1
        # Only while a demo conversion waits: the queue may hold older work of the user's
        # (claimed first, as the worker would), but none that comes after the demo's.
        while any(state == ConversionState.NEW.value for state in waiting.values()):
            self.check_cancel()  # before a claim: a claimed job must be run
            job = claim_next(self.db)
            if job is None:
                break
            spec = demo.get(job.publication_id)
            if spec is not None:
                self.step(f"Converting {spec.title}")
            self.conversions.run_job(job)
            waiting = self._waiting(demo)
        deadline = time.monotonic() + OTHERS_TIMEOUT
        while waiting:
            if time.monotonic() > deadline:
                title = demo[next(iter(waiting))].title
                raise DemoError(f"The conversion of {title!r} did not finish")
            time.sleep(OTHERS_POLL)  # a server running on the same data dir took it over
            waiting = self._waiting(demo)

    def _waiting(self, demo: dict[int, DemoPublication]) -> dict[int, str]:
        """The state of each demo publication's newest conversion that is waiting or
        running, by publication id; raises DemoError for one that failed."""
        waiting: dict[int, str] = {}
        with self.db.read() as session:
            for publication_id, spec in demo.items():
                newest = session.execute(
                    select(Conversion.state, Conversion.state_details)
                    .where(Conversion.publication_id == publication_id)
                    .order_by(Conversion.id.desc())
                    .limit(1)
                ).first()
                state, details = newest if newest is not None else (None, None)
                if state == ConversionState.FAILED.value:
                    reason = (details or {}).get("error", "no reason given")
                    raise DemoError(f"Could not convert {spec.title!r}: {reason}")
                if state in (ConversionState.NEW.value, *ACTIVE_STATES):
                    waiting[publication_id] = state
        return waiting

    def publish(self, group_id: int, publication_id: int, spec: DemoPublication) -> None:
        """Put the publication online or unlisted as the demo wants, unless it has been
        online before (then this or an earlier run did it, and the user may have changed
        it since)."""
        handler = {
            "online": publication_states.publication_online,
            "unlisted": publication_states.publication_unlisted,
        }.get(spec.state)
        with self.db.read() as session:
            online_before = session.scalar(
                select(Publication.online_at).where(Publication.id == publication_id)
            )
        if handler is None or online_before is not None:
            return
        try:
            self.call(
                f"put {spec.title!r} {spec.state}",
                handler,
                group_id,
                publication_id,
                self.write({}),
            )
        except DemoError as exc:
            # Over the account's online limit: it stays offline, still a fine demo.
            log.info("%s", exc)

    def run(self, groups: tuple[DemoGroup, ...]) -> None:
        plans = [self.plan(spec) for spec in groups]
        missing = sum(len(plan.missing) for plan in plans)
        self.total = 2 * missing + sum(plan.needs_catalogue for plan in plans) + 1
        for plan in plans:
            if plan.needs_catalogue:
                self.catalogue(plan.group_id)
        for plan in plans:
            if not plan.missing:
                continue
            tags = self.metatags(plan.group_id, {tag for p in plan.missing for tag in p.tags})
            collection_ids = self.collections(plan.group_id, plan.spec.collections)
            for spec in plan.missing:
                self.publication(plan, spec, tags, collection_ids)
        demo = self.demo_publications(plans)
        self.convert({publication_id: spec for publication_id, (_, spec) in demo.items()})
        self.step("Publishing")
        for publication_id, (group_id, spec) in demo.items():
            self.publish(group_id, publication_id, spec)
        if self.progress is not None:
            self.progress("Done", self.total, self.total)
