"""``FolioApi``: one typed method per endpoint of the HTTP API (shared/API.md).

Methods take and return plain dicts (``Resource``) in the API's own field names. Single
resources come back as ``Fetched`` (data + ETag, to chain ``if_match``), lists as lists (or
iterators, when the list is paginated and may be long), deletes as None. Errors are the
exceptions of ``app.client.errors``; an answer without the expected shape raises
``MalformedResponseError``. Every write takes an optional ``idempotency_key``: pass the same
one when repeating a write after a crash, so the server does the work only once.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from app.client.api_base import ChangePage, Fetched
from app.client.api_content import ContentApi, publication_path
from app.client.errors import MalformedResponseError, NotFoundApiError
from app.client.pagination import (
    MAX_PER_PAGE,
    ListPage,
    Resource,
    fetch_page,
    iter_items,
    list_items,
)
from app.client.transport import ApiSession, RetryPolicy
from app.client.upload_body import MultipartFileBody
from app.core.enums import KeyScope


def has_change_feed(session: ApiSession, cancel: threading.Event | None = None) -> bool:
    """Whether the server keeps a change feed: the bundled server does, the hosted platform
    answers 404 (sync then falls back to walking the lists)."""
    try:
        session.request("GET", "/v2/changes", params={"since": 0, "limit": 1}, cancel=cancel)
    except NotFoundApiError:
        return False
    return True


class FolioApi(ContentApi):
    """The whole API on one ``ApiSession`` (``session``); one per thread, like the session."""

    @classmethod
    def connect(
        cls,
        base_url: str,
        api_key: str | None,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy | None = None,
        cancel: threading.Event | None = None,
    ) -> FolioApi:
        """A FolioApi on a new session for ``base_url`` (``http://host:port``, no ``/v2``);
        ``timeout`` is (connect, read) in seconds."""
        session = ApiSession(base_url, api_key, timeout, retry or RetryPolicy(), cancel)
        return cls(session)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> FolioApi:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def health(self) -> Resource:
        """``GET /health`` (no key needed): status, version, database, conversions."""
        body = self.session.request("GET", "/health").body
        if not isinstance(body, dict) or not isinstance(body.get("status"), str):
            raise MalformedResponseError("The server's answer has no health status")
        return body

    def has_change_feed(self) -> bool:
        return has_change_feed(self.session)

    # --- groups

    def list_groups(self) -> list[Resource]:
        return self._get_list("/v2/groups", "groups")

    def get_group(self, group_id: int, *, if_none_match: str | None = None) -> Fetched:
        return self._get_one(f"/v2/groups/{group_id}", "group", if_none_match=if_none_match)

    def create_group(self, title: str, *, idempotency_key: str | None = None) -> Fetched:
        """Needs an admin key."""
        return self._write_one(
            "POST",
            "/v2/groups",
            "group",
            body={"group": {"title": title}},
            idempotency_key=idempotency_key,
        )

    # --- publications

    def iter_publications(
        self, group_id: int, *, state: str | None = None, collection_id: int | None = None
    ) -> Iterator[Resource]:
        """Every (not archived) publication of the group, fetched page by page as iterated.
        ``state``: public, unlisted, online or offline."""
        params = _filters(state, collection_id)
        path = f"/v2/groups/{group_id}/publications"
        return iter_items(self.session, path, "publications", params=params)

    def publications_page(
        self,
        group_id: int,
        page: int,
        *,
        per_page: int = MAX_PER_PAGE,
        state: str | None = None,
        collection_id: int | None = None,
        if_none_match: str | None = None,
    ) -> ListPage:
        """One page (1-based) of the list, with its ETag and the total count."""
        return fetch_page(
            self.session,
            f"/v2/groups/{group_id}/publications",
            "publications",
            page,
            params=_filters(state, collection_id),
            per_page=per_page,
            if_none_match=if_none_match,
        )

    def get_publication(
        self, group_id: int, publication_id: int, *, if_none_match: str | None = None
    ) -> Fetched:
        return self._get_one(
            publication_path(group_id, publication_id), "publication", if_none_match=if_none_match
        )

    def create_publication(
        self,
        group_id: int,
        title: str,
        source_url: str,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> Fetched:
        """Create a publication and start converting ``source_url`` (http(s) or an upload's
        source_url). ``fields``: the optional fields of API.md (language, metatag_ids, ...)."""
        return self._write_one(
            "POST",
            f"/v2/groups/{group_id}/publications",
            "publication",
            body={"publication": {**fields, "title": title, "source_url": source_url}},
            idempotency_key=idempotency_key,
        )

    def update_publication(
        self,
        group_id: int,
        publication_id: int,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """Change the fields in ``changes`` only (``metatag_ids`` replaces the list)."""
        return self._write_one(
            "PUT",
            publication_path(group_id, publication_id),
            "publication",
            body={"publication": dict(changes)},
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def put_online(
        self, group_id: int, publication_id: int, *, idempotency_key: str | None = None
    ) -> Fetched:
        """Online and listed. 402 ApiError at the account's limit, 422 before conversion."""
        return self._change_state(group_id, publication_id, "online", idempotency_key)

    def put_offline(
        self, group_id: int, publication_id: int, *, idempotency_key: str | None = None
    ) -> Fetched:
        return self._change_state(group_id, publication_id, "offline", idempotency_key)

    def put_unlisted(
        self, group_id: int, publication_id: int, *, idempotency_key: str | None = None
    ) -> Fetched:
        """Online but not listed (``disable_seo: true``)."""
        return self._change_state(group_id, publication_id, "unlisted", idempotency_key)

    def _change_state(
        self, group_id: int, publication_id: int, target: str, idempotency_key: str | None
    ) -> Fetched:
        path = f"{publication_path(group_id, publication_id)}/{target}"
        return self._write_one("POST", path, "publication", idempotency_key=idempotency_key)

    def archive_publication(
        self,
        group_id: int,
        publication_id: int,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """Archive (DELETE): afterwards the publication is 404 and gone from lists."""
        self._delete(
            publication_path(group_id, publication_id),
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    # --- metatags

    def list_metatags(self, group_id: int) -> list[Resource]:
        return self._get_list(f"/v2/groups/{group_id}/metatags", "metatags")

    def get_metatag(
        self, group_id: int, metatag_id: int, *, if_none_match: str | None = None
    ) -> Fetched:
        path = f"/v2/groups/{group_id}/metatags/{metatag_id}"
        return self._get_one(path, "metatag", if_none_match=if_none_match)

    def create_metatag(
        self, group_id: int, category: str, value: str, *, idempotency_key: str | None = None
    ) -> Fetched:
        """(group, category, value) is unique: a repeat is a 422 ValidationFailedError."""
        return self._write_one(
            "POST",
            f"/v2/groups/{group_id}/metatags",
            "metatag",
            body={"metatag": {"category": category, "value": value}},
            idempotency_key=idempotency_key,
        )

    def update_metatag(
        self,
        group_id: int,
        metatag_id: int,
        *,
        category: str | None = None,
        value: str | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """Change the category and/or the value (a None one is left as it is)."""
        fields = {"category": category, "value": value}
        return self._write_one(
            "PUT",
            f"/v2/groups/{group_id}/metatags/{metatag_id}",
            "metatag",
            body={"metatag": {k: v for k, v in fields.items() if v is not None}},
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def delete_metatag(
        self,
        group_id: int,
        metatag_id: int,
        *,
        force_delete: bool = False,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """A metatag that publications use is a 409 StateConflictError unless
        ``force_delete``, which also unassigns it everywhere."""
        self._delete(
            f"/v2/groups/{group_id}/metatags/{metatag_id}",
            params={"force_delete": "true"} if force_delete else None,
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    # --- collections

    def list_collections(self, group_id: int) -> list[Resource]:
        return self._get_list(f"/v2/groups/{group_id}/collections", "collections")

    def get_collection(
        self, group_id: int, collection_id: int, *, if_none_match: str | None = None
    ) -> Fetched:
        path = f"/v2/groups/{group_id}/collections/{collection_id}"
        return self._get_one(path, "collection", if_none_match=if_none_match)

    def create_collection(
        self, group_id: int, title: str, *, idempotency_key: str | None = None
    ) -> Fetched:
        return self._write_one(
            "POST",
            f"/v2/groups/{group_id}/collections",
            "collection",
            body={"collection": {"title": title}},
            idempotency_key=idempotency_key,
        )

    def update_collection(
        self,
        group_id: int,
        collection_id: int,
        title: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        return self._write_one(
            "PUT",
            f"/v2/groups/{group_id}/collections/{collection_id}",
            "collection",
            body={"collection": {"title": title}},
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def delete_collection(
        self,
        group_id: int,
        collection_id: int,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """A collection that still holds publications is a 409 StateConflictError."""
        self._delete(
            f"/v2/groups/{group_id}/collections/{collection_id}",
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    # --- uploads

    def upload_file(
        self,
        path: Path | str,
        *,
        content_type: str | None = None,
        idempotency_key: str | None = None,
    ) -> Resource:
        """Send a file from disk (streamed in chunks, never read whole into memory). Returns
        the upload: id, source_url (usable wherever a source_url is), size, sha256."""
        path = Path(path)
        with MultipartFileBody(path, "file", content_type or _guess_type(path.name)) as body:
            response = self.session.request(
                "POST",
                "/v2/uploads",
                data=body,
                headers={"Content-Type": body.content_type},
                idempotency_key=idempotency_key,
            )
        return _upload_of(response.body)

    def upload_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        content_type: str | None = None,
        idempotency_key: str | None = None,
    ) -> Resource:
        """Send ``data`` as a file named ``filename``; returns the upload as upload_file does."""
        files = {"file": (filename, data, content_type or _guess_type(filename))}
        response = self.session.request(
            "POST", "/v2/uploads", files=files, idempotency_key=idempotency_key
        )
        return _upload_of(response.body)

    # --- change feed (the bundled server only; see has_change_feed)

    def changes(self, since: int = 0, limit: int | None = None) -> ChangePage:
        """The account's changes after seq ``since`` (0: from the start), oldest first."""
        params: dict[str, Any] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        body = self.session.request("GET", "/v2/changes", params=params).body
        changes = list_items(body, "changes")
        next_since, has_more = body.get("next_since"), body.get("has_more")
        if isinstance(next_since, bool) or not isinstance(next_since, int):
            raise MalformedResponseError("The server's change feed page has no next_since")
        if not isinstance(has_more, bool):
            raise MalformedResponseError("The server's change feed page has no has_more")
        return ChangePage(changes, next_since, has_more)

    # --- API keys (admin)

    def list_api_keys(self) -> list[Resource]:
        """The account's keys, without their secrets."""
        return self._get_list("/v2/api_keys", "api_keys")

    def create_api_key(
        self, name: str, scope: KeyScope | str, *, idempotency_key: str | None = None
    ) -> Resource:
        """A new key; its secret is in ``key``, shown this once only."""
        created = self._write_one(
            "POST",
            "/v2/api_keys",
            "api_key",
            body={"api_key": {"name": name, "scope": str(scope)}},
            idempotency_key=idempotency_key,
        ).data
        if not isinstance(created.get("key"), str):
            raise MalformedResponseError("The server's answer has no key secret")
        return created

    def revoke_api_key(self, key_id: int, *, idempotency_key: str | None = None) -> None:
        """Revoke a key; requests with it fail (401) from now on."""
        self._delete(f"/v2/api_keys/{key_id}", idempotency_key=idempotency_key)


def _filters(state: str | None, collection_id: int | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if state is not None:
        params["state"] = state
    if collection_id is not None:
        params["collection_id"] = collection_id
    return params


def _guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _upload_of(body: Any) -> Resource:
    upload = body.get("upload") if isinstance(body, dict) else None
    if not isinstance(upload, dict) or not isinstance(upload.get("source_url"), str):
        raise MalformedResponseError("The server's answer has no upload")
    return upload
