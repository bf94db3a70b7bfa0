"""One write request = one transaction holding the work, its change-feed entries and,
when the client sent an Idempotency-Key, the stored response, so a replay can never
find the work done without its answer (or the answer without the work).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.core.enums import ChangeOp, EntityType
from app.core.timestamps import utc_now
from app.server.accounts import Principal
from app.server.caching import etag_matches, etag_of_body
from app.server.change_feed import PendingChange, append_changes
from app.server.database import Database
from app.server.errors import ApiError
from app.server.json_response import json_bytes
from app.server.models import IdempotencyRecord

REPLAYED_HEADER = "Idempotent-Replayed"
MAX_IDEMPOTENCY_KEY_LENGTH = 255


class IdempotentReplay(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("idempotent replay")
        self.response = response


def request_fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass
class WriteRequest:
    """What a write handler needs: caller, parsed body, and the request's preconditions."""

    db: Database
    principal: Principal
    body: dict[str, Any]
    base_url: str
    idempotency_key: str | None
    fingerprint: str
    if_match: str | None
    idempotency_ttl: timedelta

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        session = self.db.write_session()
        try:
            session.begin()
            if self.idempotency_key:
                self._replay_if_seen(session)
            tx = Transaction(session=session, request=self)
            yield tx
            if tx.response is None:
                raise RuntimeError("write handler finished without a response")
            append_changes(session, self.principal.account_id, tx.changes)
            if self.idempotency_key:
                self._remember(session, tx.response)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def replay_if_seen(self) -> None:
        """Answer a repeated request now, before work done outside the transaction (raises
        IdempotentReplay, or 409 for a reused key); the transaction checks again."""
        if not self.idempotency_key:
            return
        with self.db.read() as session:
            self._replay_if_seen(session)

    def _replay_if_seen(self, session: Session) -> None:
        assert self.idempotency_key is not None
        record = session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.account_id == self.principal.account_id,
                IdempotencyRecord.key == self.idempotency_key,
            )
        )
        if record is None:
            return
        if utc_now() - record.created_at > self.idempotency_ttl:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
            session.flush()
            return
        if record.fingerprint != self.fingerprint:
            raise ApiError(
                409,
                "This Idempotency-Key was already used for a different request; use a new key",
                "idempotency_key_reused",
            )
        headers = {**record.headers, REPLAYED_HEADER: "true"}
        raise IdempotentReplay(
            Response(content=record.body, status_code=record.status_code, headers=headers)
        )

    def _remember(self, session: Session, response: Response) -> None:
        assert self.idempotency_key is not None
        kept = {
            k: v
            for k, v in response.headers.items()
            if k.lower() in ("content-type", "etag", "location")
        }
        session.add(
            IdempotencyRecord(
                account_id=self.principal.account_id,
                key=self.idempotency_key,
                fingerprint=self.fingerprint,
                status_code=response.status_code,
                body=bytes(response.body),
                headers=kept,
            )
        )


@dataclass
class Transaction:
    session: Session
    request: WriteRequest
    changes: list[PendingChange] = field(default_factory=list)
    response: Response | None = None

    @property
    def account_id(self) -> int:
        return self.request.principal.account_id

    def changed(
        self,
        entity_type: EntityType,
        entity_id: int,
        group_id: int | None,
        data: dict[str, Any] | None,
        op: ChangeOp = ChangeOp.UPSERT,
    ) -> None:
        """Queue a change-feed entry, written with the transaction."""
        self.changes.append(PendingChange(entity_type, entity_id, group_id, op, data))

    def check_if_match(self, current_body: Any) -> None:
        """412 when the client's If-Match names another version of the resource."""
        header = self.request.if_match
        if header is None:
            return
        if not etag_matches(header, etag_of_body(current_body)):
            raise ApiError(
                412,
                "The resource changed since you read it: fetch it again and reapply your change",
                "precondition_failed",
            )

    def respond(
        self,
        status: int,
        body: Any = None,
        *,
        etag_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The response to send once the transaction commits.

        ``etag_body`` is the resource as GET shows it, so the client can chain If-Match.
        """
        out = dict(headers or {})
        if etag_body is not None:
            out["ETag"] = etag_of_body(etag_body)
        if body is None:
            self.response = Response(status_code=status, headers=out)
        else:
            self.response = Response(
                content=json_bytes(body),
                status_code=status,
                media_type="application/json",
                headers=out,
            )
        return self.response
