"""What every endpoint wrapper shares: result types, the checks of an answer's shape, and the
few request helpers the resource methods are built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.client.errors import MalformedResponseError
from app.client.pagination import Resource, list_items
from app.client.transport import ApiResponse, ApiSession


@dataclass(frozen=True)
class Fetched:
    """One resource and its ETag, ready for ``if_match`` (writes) or ``if_none_match`` (reads).

    When ``if_none_match`` was still current the server answered 304: ``not_modified`` is True
    and ``data`` is empty (the caller's copy is the current one).
    """

    data: Resource
    etag: str | None
    not_modified: bool = False


@dataclass(frozen=True)
class ChangePage:
    """One page of the change feed; ask again from ``next_since`` while ``has_more``."""

    changes: list[Resource]
    next_since: int
    has_more: bool


def one_object(body: Any, key: str) -> Resource:
    """The object under ``key``, plain (``{"conversion": {...}}``) or array-wrapped as the seed
    documents single resources (``{"publication": [{...}]}``)."""
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        raise MalformedResponseError(f"The server's answer has no {key}")
    return value


def fetched(response: ApiResponse, key: str, if_none_match: str | None = None) -> Fetched:
    if response.not_modified:
        return Fetched({}, response.etag or if_none_match, not_modified=True)
    return Fetched(one_object(response.body, key), response.etag)


class ApiBase:
    """Holds the session; the request helpers below are what the resource methods share."""

    def __init__(self, session: ApiSession) -> None:
        self.session = session

    def __repr__(self) -> str:  # the session's repr never shows the key
        return f"{type(self).__name__}({self.session!r})"

    def _get_one(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, Any] | None = None,
        if_none_match: str | None = None,
    ) -> Fetched:
        response = self.session.request("GET", path, params=params, if_none_match=if_none_match)
        return fetched(response, key, if_none_match)

    def _get_list(
        self, path: str, key: str, *, params: Mapping[str, Any] | None = None
    ) -> list[Resource]:
        return list_items(self.session.request("GET", path, params=params).body, key)

    def _write_one(
        self,
        method: str,
        path: str,
        key: str,
        *,
        body: Any = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        response = self.session.request(
            method, path, json_body=body, if_match=if_match, idempotency_key=idempotency_key
        )
        return fetched(response, key)

    def _delete(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        self.session.request(
            "DELETE", path, params=params, if_match=if_match, idempotency_key=idempotency_key
        )
