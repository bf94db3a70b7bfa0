"""Runs conversions: one thread takes jobs from the conversions table, a pool of long-lived
processes renders their pages in parallel.

A job: fetch the source (``preparing``), validate it and read its hotspots, render the pages
it adds (``converting``, ``converted_pages`` advancing), build the publication's new PDF, then
apply everything in one transaction. Any failure ends the job ``failed`` with a reason and
leaves the publication untouched.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sqlalchemy import select

from app.core.enums import ConversionSource, ConversionState
from app.core.errors import InvalidPdfError, SourceFetchError
from app.pdf.render_worker import forget_documents
from app.server.catalogue import catalogue_skus
from app.server.config import ServerConfig
from app.server.conversion_apply import ApplyError, ConversionResult, apply_conversion
from app.server.conversion_jobs import (
    ACTIVE_STATES,
    MAX_ATTEMPTS,
    ClaimedJob,
    ConversionCanceled,
    claim_next,
    fail,
    recover_interrupted,
    requeue,
    update_running,
)
from app.server.database import Database
from app.server.file_store import FileStore
from app.server.models import Conversion, Publication, Upload
from app.server.render_pool import PoolClosed, RenderPool, RenderTimeout
from app.server.render_tasks import (
    EditKind,
    PageEdit,
    RenderedFiles,
    SourceInfo,
    SourcePagesError,
    edit_pdf,
    inspect_source,
    render_to_store,
)
from app.server.source_fetch import FetchLimits, fetch_to_file

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.25  # seconds between converted_pages writes
CANCEL_POLL = 1.0  # seconds between checks for a cancel while downloading
IDLE_POLL = 2.0  # seconds between queue checks when nobody wakes the worker
INSPECT_TIMEOUT = 300.0  # seconds to open a source and read its hotspots
PAGE_TIMEOUT = 120.0  # seconds one page may take to render
EDIT_TIMEOUT = 600.0  # seconds to rebuild a publication's PDF
IN_FLIGHT_PER_PROCESS = 2  # rendering tasks queued per process, so edits and cancels wait little


class JobFailed(Exception):
    """A conversion failure with a message for the user."""


def failure_message(job: ClaimedJob, exc: Exception) -> str:
    """What the user reads in state_details.error for a failed job."""
    if isinstance(
        exc, JobFailed | InvalidPdfError | SourceFetchError | ApplyError | SourcePagesError
    ):
        return str(exc)
    if isinstance(exc, RenderTimeout):
        return f"A page of the PDF {exc} to draw; the PDF may be damaged or too complex"
    if isinstance(exc, BrokenProcessPool):
        log.error("a rendering process died during conversion %s", job.id)
        return "A rendering process stopped unexpectedly while drawing the PDF; try again"
    log.error("conversion %s failed unexpectedly", job.id, exc_info=exc)
    return "Internal error while converting; the server log has details"


class ConversionWorker:
    def __init__(self, db: Database, config: ServerConfig, store: FileStore) -> None:
        self.db = db
        self.config = config
        self.store = store
        self.pool = RenderPool(config.conversion_processes)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.config.conversion_processes > 0

    @property
    def alive(self) -> bool:
        """The worker thread runs (for /health)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        work_dir = self.config.work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        # Downloads and uploads a crash cut short.
        for leftover in work_dir.glob("*.part"):
            leftover.unlink(missing_ok=True)
        recover_interrupted(self.db)
        self._thread = threading.Thread(target=self._run, name="folio-conversions", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A conversion was queued: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        self.pool.shutdown()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job = claim_next(self.db)
                if job is None:
                    self._wake.wait(IDLE_POLL)
                    self._wake.clear()
                    continue
                self.run_job(job)
            except Exception:
                # The loop must outlive any one failure (a locked database, a full disk).
                log.exception("conversion worker error; going on")
                self._stop.wait(IDLE_POLL)

    def run_job(self, job: ClaimedJob) -> None:
        started = time.monotonic()
        try:
            result = self._convert(job)
            apply_conversion(self.db, job, result)
            log.info(
                "conversion %s finished: %d page(s) in %.1f s",
                job.id,
                len(result.info.pages),
                time.monotonic() - started,
            )
        except ConversionCanceled:
            log.info("conversion %s canceled", job.id)
        except Exception as exc:
            if self._stop.is_set() or isinstance(exc, PoolClosed):
                # Stopping: leave it running in the table; the next start resumes it.
                log.info("conversion %s interrupted by shutdown; resumes on next start", job.id)
                return
            if isinstance(exc, BrokenProcessPool):
                self.pool.reset()
                if job.attempts < MAX_ATTEMPTS:
                    # Most likely not this PDF's fault (a process killed from outside).
                    log.warning("a rendering process died; conversion %s queued again", job.id)
                    requeue(self.db, job)
                    return
            fail(self.db, job, failure_message(job, exc))
        finally:
            try:
                self.pool.call(forget_documents, timeout=30)
            except Exception:
                log.debug("could not free documents after conversion %s", job.id)

    def _canceled(self, job: ClaimedJob) -> bool:
        with self.db.read() as session:
            state = session.scalar(select(Conversion.state).where(Conversion.id == job.id))
        return state not in ACTIVE_STATES

    def _source_path(self, job: ClaimedJob) -> Path:
        upload_id = job.parameters.get("upload_id")
        if upload_id is not None:
            with self.db.read() as session:
                upload = session.get(Upload, int(upload_id))
                if upload is None or upload.account_id != job.account_id:
                    raise JobFailed(f"Upload {upload_id} not found")
                name = upload.file_name
            try:
                return self.store.path_of(name)
            except KeyError:
                raise JobFailed(f"The file of upload {upload_id} is missing") from None
        if not job.source_url:
            raise JobFailed("The conversion has no source_url")
        limits = FetchLimits(
            max_bytes=self.config.max_upload_bytes,
            allow_private=self.config.allow_private_sources,
        )
        cancel = threading.Event()
        last_check = time.monotonic()

        def watch(_received: int, _total: int | None) -> None:
            nonlocal last_check
            if self._stop.is_set():
                cancel.set()
            elif time.monotonic() - last_check >= CANCEL_POLL:
                last_check = time.monotonic()
                if self._canceled(job):
                    cancel.set()

        target = self.config.work_dir / f"conversion-{job.id}.part"
        try:
            fetched = fetch_to_file(job.source_url, target, limits, cancel=cancel, progress=watch)
        except SourceFetchError:
            if cancel.is_set() and not self._stop.is_set():
                raise ConversionCanceled(job.id) from None
            raise
        return self.store.path_of(self.store.put_file(fetched.path, ".pdf", move=True))

    def _current_pdf(self, job: ClaimedJob) -> Path | None:
        with self.db.read() as session:
            name = session.scalar(
                select(Publication.pdf_path).where(Publication.id == job.publication_id)
            )
        return self.store.path_of(name) if name else None

    def _catalogue(self, job: ClaimedJob) -> list[str]:
        """The group's SKUs, when the conversion looks for them in the page text."""
        if "products" not in (job.extraction_options or {}):
            return []
        with self.db.read() as session:
            return catalogue_skus(session, job.group_id)

    def _source_pages(self, job: ClaimedJob) -> list[int] | None:
        if job.source_type == ConversionSource.API_REPLACE_PAGE.value:
            return [int(job.parameters.get("source_page_number") or 1)]
        pages = job.parameters.get("source_page_numbers")
        return [int(n) for n in pages] if pages else None

    def _convert(self, job: ClaimedJob) -> ConversionResult:
        source = self._source_path(job)
        info: SourceInfo = self.pool.call(
            inspect_source,
            str(source),
            self._source_pages(job),
            job.extraction_options,
            self._catalogue(job),
            self.config.max_source_pages,
            timeout=INSPECT_TIMEOUT,
        )
        total = len(info.pages)
        update_running(
            self.db,
            job,
            state=ConversionState.CONVERTING.value,
            total_pages=total,
            converted_pages=0,
        )
        rendered = self._render(job, source, sorted(set(info.pages)))
        pdf_name = self._new_pdf(job, source)
        return ConversionResult(info=info, rendered=rendered, pdf_name=pdf_name)

    def _render(self, job: ClaimedJob, source: Path, pages: list[int]) -> dict[int, RenderedFiles]:
        """Render ``pages`` with a few tasks in flight at a time, so a cancel or a page
        removal from a request never waits behind a whole book."""
        waiting = list(reversed(pages))
        in_flight: dict[Future[RenderedFiles], float] = {}
        rendered: dict[int, RenderedFiles] = {}
        last_report = time.monotonic()
        limit = self.pool.processes * IN_FLIGHT_PER_PROCESS
        try:
            while waiting or in_flight:
                while waiting and len(in_flight) < limit:
                    future = self.pool.submit(
                        render_to_store,
                        str(source),
                        waiting.pop(),
                        str(self.config.files_dir),
                        self.config.page_width,
                    )
                    in_flight[future] = time.monotonic()
                done, _ = wait(in_flight, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in done:
                    del in_flight[future]
                    files = future.result()
                    rendered[files.page] = files
                if self._stop.is_set():
                    raise PoolClosed("stopping")
                # At most IN_FLIGHT_PER_PROCESS tasks wait per process, so a healthy task ends
                # within that many page times of its submission.
                oldest = min(in_flight.values(), default=time.monotonic())
                if time.monotonic() - oldest > PAGE_TIMEOUT * IN_FLIGHT_PER_PROCESS:
                    self.pool.kill()
                    raise RenderTimeout(f"took more than {PAGE_TIMEOUT:g} s")
                now = time.monotonic()
                if now - last_report >= PROGRESS_EVERY or not (waiting or in_flight):
                    last_report = now
                    # Also where a cancel is noticed: it raises ConversionCanceled.
                    update_running(self.db, job, converted_pages=len(rendered))
        finally:
            for future in in_flight:
                future.cancel()
        return rendered

    def _new_pdf(self, job: ClaimedJob, source: Path) -> str:
        """The store name of the publication's PDF after this conversion."""
        if job.source_type == ConversionSource.NEW_PUBLICATION.value:
            return source.name
        current = self._current_pdf(job)
        if current is None:
            raise JobFailed("The publication has no converted pages to change yet")
        if job.source_type == ConversionSource.API_ADD_PAGES.value:
            edit = PageEdit(
                kind=EditKind.INSERT,
                source_pages=self._source_pages(job),
                position=job.parameters.get("position"),
            )
        else:
            edit = PageEdit(
                kind=EditKind.REPLACE,
                page=int(job.parameters["page"]),
                source_page=int(job.parameters.get("source_page_number") or 1),
            )
        return self.call_pdf_edit(current, source, edit)

    def call_pdf_edit(self, base: Path, source: Path | None, edit: PageEdit) -> str:
        """The store name of ``base`` with ``edit`` applied (done in a rendering process)."""
        return self.pool.call(
            edit_pdf,
            str(base),
            str(source) if source else None,
            edit,
            str(self.config.files_dir),
            timeout=EDIT_TIMEOUT,
        )
