"""Key management for admins (ext): list, create (the secret is shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from app.server.accounts import Principal, create_key, revoke_key
from app.server.caching import cached_json
from app.server.database import Database
from app.server.deps import admin, admin_write_request, get_db
from app.server.errors import not_found
from app.server.models import ApiKey
from app.server.presenters import api_key_data
from app.server.routes import Id
from app.server.schemas import ApiKeyCreate
from app.server.validation import validate
from app.server.write_context import WriteRequest

router = APIRouter(tags=["api keys"])


@router.get("/v2/api_keys")
def list_api_keys(
    request: Request, principal: Principal = Depends(admin), db: Database = Depends(get_db)
) -> Response:
    with db.read() as session:
        keys = session.scalars(
            select(ApiKey).where(ApiKey.account_id == principal.account_id).order_by(ApiKey.id)
        ).all()
        body = {"api_keys": [api_key_data(k) for k in keys]}
    return cached_json(request, body)


@router.post("/v2/api_keys", status_code=201)
def post_api_key(req: WriteRequest = Depends(admin_write_request)) -> Response:
    raw = req.body.get("api_key", req.body)
    fields = validate(ApiKeyCreate, raw if isinstance(raw, dict) else {})
    with req.transaction() as tx:
        row, secret = create_key(tx.session, tx.account_id, fields.name, fields.scope)
        return tx.respond(201, {"api_key": {**api_key_data(row), "key": secret}})


@router.delete("/v2/api_keys/{key_id}", status_code=204)
def delete_api_key(key_id: Id, req: WriteRequest = Depends(admin_write_request)) -> Response:
    with req.transaction() as tx:
        if not revoke_key(tx.session, key_id, tx.account_id):
            raise not_found("API key")
        return tx.respond(204)
