"""Pages of a publication (seed 003, "Pages"): add and replace start conversions; remove is
immediate."""

from __future__ import annotations

import logging
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.enums import ChangeOp, ConversionSource, ConversionState, EntityType
from app.core.errors import InvalidPdfError
from app.core.timestamps import utc_now
from app.server.conversion_jobs import ACTIVE_STATES
from app.server.conversion_sources import queue_conversion
from app.server.conversion_worker import ConversionWorker
from app.server.deps import write_request
from app.server.errors import ApiError, FieldErrors
from app.server.file_store import FileStore
from app.server.lookups import group_of, publication_of
from app.server.models import Conversion, Group, HotspotRow, Publication
from app.server.presenters import absolutize
from app.server.publication_service import present_publication
from app.server.render_pool import PoolClosed, RenderTimeout
from app.server.render_tasks import EditKind, PageEdit
from app.server.request_body import scoped
from app.server.routes import Id
from app.server.routes.publications import single_body
from app.server.schemas import PageReplace, PagesAdd
from app.server.spread_service import layout_changes, pages_of, rebuild_spreads
from app.server.validation import validate
from app.server.write_context import Transaction, WriteRequest

router = APIRouter(tags=["pages"])
log = logging.getLogger(__name__)


def _worker(request: Request) -> ConversionWorker:
    return request.app.state.conversions  # type: ignore[no-any-return]


def _check_if_match(tx: Transaction, publication: Publication, group: Group) -> None:
    tx.check_if_match(single_body(tx.session, publication, group, tx.request.base_url))


def _refuse_while_converting(session: Session, publication: Publication) -> None:
    running = session.scalar(
        select(Conversion.id).where(
            Conversion.publication_id == publication.id,
            Conversion.state.in_((ConversionState.NEW.value, *ACTIVE_STATES)),
        )
    )
    if running is not None:
        raise ApiError(
            409,
            f"Conversion {running} of this publication is still running; wait for it to end",
            "conversion_running",
        )


def _require_pages(publication: Publication) -> None:
    if publication.page_count == 0:
        raise ApiError(
            409,
            "The publication has no converted pages yet; wait for its conversion to finish",
            "not_converted",
        )


def _queue(
    tx: Transaction,
    publication: Publication,
    source: ConversionSource,
    source_url: str,
    parameters: dict[str, Any],
    extraction_options: dict[str, Any] | None,
) -> Response:
    data = queue_conversion(tx, publication, source, source_url, extraction_options, parameters)
    return tx.respond(200, {"conversion": data}, etag_body={"conversion": data})


def _scoped_or_flat(body: dict[str, Any], scope: str) -> dict[str, Any]:
    # The seed's own example sends add-pages fields at the top level; accept a scope too.
    return scoped(body, scope) if scope in body else body


@router.post("/v2/groups/{group_id}/publications/{publication_id}/pages")
def add_pages(
    request: Request, group_id: Id, publication_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """Insert pages of a PDF (all, or ``source_page_numbers``) before ``position`` (default:
    at the end). Starts an ``api_add_pages`` conversion."""
    fields = validate(PagesAdd, _scoped_or_flat(req.body, "page"))
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        publication = publication_of(tx.session, group, publication_id)
        _check_if_match(tx, publication, group)
        _require_pages(publication)
        if fields.position is not None and fields.position > publication.page_count + 1:
            raise FieldErrors({"position": [f"must be between 1 and {publication.page_count + 1}"]})
        response = _queue(
            tx,
            publication,
            ConversionSource.API_ADD_PAGES,
            fields.source_url,
            {
                "source_page_numbers": fields.source_page_numbers,
                "position": fields.position,
            },
            fields.extraction_options,
        )
    _worker(request).wake()
    return response


@router.put("/v2/groups/{group_id}/publications/{publication_id}/pages/{page_number}")
def replace_page(
    request: Request,
    group_id: Id,
    publication_id: Id,
    page_number: Id,
    req: WriteRequest = Depends(write_request),
) -> Response:
    """Replace page ``page_number`` with a page of a PDF. Its hotspots stay (placed at the same
    relative position) unless ``remove_hotspots`` is true. Starts an ``api_replace_page``
    conversion."""
    fields = validate(PageReplace, scoped(req.body, "page"))
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        publication = publication_of(tx.session, group, publication_id)
        _check_if_match(tx, publication, group)
        _require_pages(publication)
        if page_number > publication.page_count:
            raise ApiError(404, f"Page {page_number} not found", "not_found")
        response = _queue(
            tx,
            publication,
            ConversionSource.API_REPLACE_PAGE,
            fields.source_url,
            {
                "page": page_number,
                "source_page_number": fields.source_page_number,
                "remove_hotspots": fields.remove_hotspots,
            },
            fields.extraction_options,
        )
    _worker(request).wake()
    return response


@router.delete("/v2/groups/{group_id}/publications/{publication_id}/pages/{page_number}")
def remove_page(
    request: Request,
    group_id: Id,
    publication_id: Id,
    page_number: Id,
    req: WriteRequest = Depends(write_request),
) -> Response:
    """Remove a page now; its hotspots go with it (and page references to it), later pages
    move up. 200 with the publication (array-wrapped)."""
    req.replay_if_seen()
    with req.db.read() as session:
        group = group_of(session, req.principal.account_id, group_id)
        publication = publication_of(session, group, publication_id)
        _refuse_while_converting(session, publication)
        if page_number > publication.page_count:
            raise ApiError(404, f"Page {page_number} not found", "not_found")
        if publication.page_count == 1:
            raise FieldErrors({"page": ["the only page of a publication can't be removed"]})
        base_pdf = publication.pdf_path
    new_pdf = _pdf_without_page(request, base_pdf, page_number)
    with req.transaction() as tx:
        group = group_of(tx.session, tx.account_id, group_id)
        publication = publication_of(tx.session, group, publication_id)
        _check_if_match(tx, publication, group)
        if publication.pdf_path != base_pdf or page_number > publication.page_count:
            raise ApiError(409, "The publication changed meanwhile; try again", "conflict")
        _refuse_while_converting(tx.session, publication)
        removed = pages_of(tx.session, publication.id)[page_number - 1]
        doomed = select(HotspotRow.id).where(
            or_(HotspotRow.page_id == removed.id, HotspotRow.target_page_id == removed.id)
        )
        for hotspot_id in list(tx.session.scalars(doomed)):
            tx.changed(EntityType.HOTSPOT, hotspot_id, group.id, None, ChangeOp.DELETE)
        # References to the page would point nowhere: they go with it.
        tx.session.execute(delete(HotspotRow).where(HotspotRow.target_page_id == removed.id))
        tx.session.delete(removed)
        tx.session.flush()
        deleted_spreads = rebuild_spreads(tx.session, publication)
        remaining = pages_of(tx.session, publication.id)
        publication.page_count = len(remaining)
        publication.cover_path = remaining[0].image_name
        publication.pdf_path = new_pdf
        publication.updated_at = utc_now()
        tx.session.flush()
        tx.changes.extend(layout_changes(tx.session, publication, deleted_spreads))
        data = present_publication(tx.session, publication, group)
        tx.changed(EntityType.PUBLICATION, publication.id, group.id, data)
        body = {"publication": [absolutize(data, req.base_url)]}
        return tx.respond(200, body, etag_body=body)


def _pdf_without_page(request: Request, base_pdf: str | None, page_number: int) -> str | None:
    """The store name of the publication's PDF without the page. PyMuPDF work: done in a
    rendering process, outside any transaction."""
    if base_pdf is None:
        return None
    store: FileStore = request.app.state.files
    try:
        base = store.path_of(base_pdf)
    except KeyError:
        raise ApiError(
            409, "The publication's PDF is missing from the server's files", "conflict"
        ) from None
    try:
        return _worker(request).call_pdf_edit(
            base, None, PageEdit(kind=EditKind.DELETE, page=page_number)
        )
    except (BrokenProcessPool, RenderTimeout, PoolClosed, InvalidPdfError):
        log.exception("could not rebuild the PDF without page %d", page_number)
        raise ApiError(
            503, "The server could not rebuild the PDF just now; try again", "unavailable"
        ) from None
