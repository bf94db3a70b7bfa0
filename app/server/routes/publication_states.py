"""Online, offline and unlisted (seed 003 and upstream), all answered array-wrapped."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from app.core.enums import EntityType
from app.core.timestamps import utc_now
from app.server.deps import write_request
from app.server.lookups import group_of, publication_of
from app.server.presenters import absolutize
from app.server.publication_service import (
    check_can_go_online,
    present_publication,
    set_offline,
    set_online,
)
from app.server.routes import Id
from app.server.write_context import WriteRequest

router = APIRouter(tags=["publications"])


def _change_state(group_id: int, publication_id: int, req: WriteRequest, target: str) -> Response:
    with req.transaction() as tx:
        session = tx.session
        group = group_of(session, tx.account_id, group_id)
        publication = publication_of(session, group, publication_id)
        now = utc_now()
        if target == "offline":
            set_offline(publication, now)
        else:
            check_can_go_online(session, tx.account_id, publication)
            set_online(publication, unlisted=target == "unlisted", now=now)
        session.flush()
        data = present_publication(session, publication, group)
        tx.changed(EntityType.PUBLICATION, publication.id, group.id, data)
        body = {"publication": [absolutize(data, req.base_url)]}
        return tx.respond(200, body, etag_body=body)


@router.post("/v2/groups/{group_id}/publications/{publication_id}/online")
def publication_online(
    group_id: Id, publication_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """Put online (listed). 402 when the account's limit is reached, 422 before conversion."""
    return _change_state(group_id, publication_id, req, "online")


@router.post("/v2/groups/{group_id}/publications/{publication_id}/offline")
def publication_offline(
    group_id: Id, publication_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    return _change_state(group_id, publication_id, req, "offline")


@router.post("/v2/groups/{group_id}/publications/{publication_id}/unlisted")
def publication_unlisted(
    group_id: Id, publication_id: Id, req: WriteRequest = Depends(write_request)
) -> Response:
    """Online but not listed (``disable_seo: true``)."""
    return _change_state(group_id, publication_id, req, "unlisted")
