"""Conversions of a publication (seed 003, "Conversions"), plus cancel (ext)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from app.core.enums import ConversionState, EntityType
from app.core.timestamps import utc_now
from app.server.accounts import Principal
from app.server.caching import cached_json
from app.server.database import Database
from app.server.deps import get_db, reader, write_request
from app.server.errors import ApiError
from app.server.lookups import conversion_of, group_of, publication_of
from app.server.models import Conversion
from app.server.presenters import conversion_data
from app.server.routes import Id
from app.server.write_context import WriteRequest

router = APIRouter(tags=["conversions"])

RECENT = 5


@router.get("/v2/groups/{group_id}/publications/{publication_id}/conversions")
def list_conversions(
    request: Request,
    group_id: Id,
    publication_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    """The last five conversions, newest first."""
    with db.read() as session:
        publication = publication_of(
            session, group_of(session, principal.account_id, group_id), publication_id
        )
        conversions = list(
            session.scalars(
                select(Conversion)
                .where(Conversion.publication_id == publication.id)
                .order_by(Conversion.id.desc())
                .limit(RECENT)
            )
        )
        last_modified = max((c.updated_at for c in conversions), default=publication.updated_at)
    return cached_json(
        request,
        {"conversions": [conversion_data(c) for c in conversions]},
        last_modified=last_modified,
    )


def _get_conversion(
    request: Request,
    group_id: int,
    publication_id: int,
    conversion_id: int,
    principal: Principal,
    db: Database,
) -> Response:
    with db.read() as session:
        publication = publication_of(
            session, group_of(session, principal.account_id, group_id), publication_id
        )
        conversion = conversion_of(session, publication, conversion_id)
    return cached_json(
        request, {"conversion": conversion_data(conversion)}, last_modified=conversion.updated_at
    )


@router.get("/v2/groups/{group_id}/publications/{publication_id}/conversions/{conversion_id}")
def get_conversion(
    request: Request,
    group_id: Id,
    publication_id: Id,
    conversion_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    return _get_conversion(request, group_id, publication_id, conversion_id, principal, db)


@router.get("/v2/groups/{group_id}/publications/{publication_id}/conversion/{conversion_id}")
def get_conversion_singular(
    request: Request,
    group_id: Id,
    publication_id: Id,
    conversion_id: Id,
    principal: Principal = Depends(reader),
    db: Database = Depends(get_db),
) -> Response:
    """The seed's example spells the path in the singular; both work."""
    return _get_conversion(request, group_id, publication_id, conversion_id, principal, db)


@router.post(
    "/v2/groups/{group_id}/publications/{publication_id}/conversions/{conversion_id}/cancel"
)
def cancel_conversion(
    group_id: Id, publication_id: Id, conversion_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """Cancel a waiting or running conversion: a running one stops at its next page and its
    work is dropped; the publication keeps the pages it had."""
    with req.transaction() as tx:
        publication = publication_of(
            tx.session, group_of(tx.session, tx.account_id, group_id), publication_id
        )
        conversion = conversion_of(tx.session, publication, conversion_id)
        tx.session.refresh(conversion, with_for_update=True)
        if ConversionState(conversion.state).is_final:
            raise ApiError(
                409, f"Conversion already {conversion.state}; nothing to cancel", "conversion_final"
            )
        conversion.state = ConversionState.CANCELED.value
        conversion.updated_at = utc_now()
        tx.session.flush()
        data = conversion_data(conversion)
        tx.changed(EntityType.CONVERSION, conversion.id, conversion.group_id, data)
        return tx.respond(200, {"conversion": data}, etag_body={"conversion": data})
