"""One HTTP session per server: the API key, timeouts, retries and idempotency keys.

Retries use exponential backoff with full jitter on connection errors and on 429, 502, 503
and 504, honouring Retry-After. Every POST, PUT, PATCH and DELETE carries an Idempotency-Key
that stays the same across the retries of one call, so a retry after a lost answer replays the
stored answer instead of doing the work twice (for a DELETE: the original 204, not a 404).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase

from app import __version__
from app.client.errors import (
    ApiError,
    CancelledError,
    MalformedResponseError,
    TransportError,
    error_class,
    summarize_field_errors,
)

log = logging.getLogger(__name__)

ClientErrorLike = TransportError | ApiError

RETRY_STATUSES = frozenset({429, 502, 503, 504})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Methods that carry an Idempotency-Key. The server stores the answer of every write, DELETE
# included: without a key, a DELETE retried after its answer was lost would get a 404.
IDEMPOTENT_KEYED_METHODS = WRITE_METHODS | {"DELETE"}


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all; delays grow from ``base_delay`` up to ``max_delay``."""

    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    # A server asking for a longer pause than this gets the error instead: the caller
    # (a sync, say) keeps its work for later rather than hanging the user's action.
    max_retry_after: float = 60.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        backoff = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (retry - 1)))
        if retry_after is not None:
            return retry_after + backoff * 0.1
        return backoff


@dataclass(frozen=True)
class ApiResponse:
    """A successful (2xx or 304) answer; ``body`` is the parsed JSON or None."""

    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def replayed(self) -> bool:
        """Whether the server replayed a stored answer to a repeated Idempotency-Key."""
        return self.headers.get("Idempotent-Replayed", "").lower() == "true"

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header_int(self, name: str) -> int | None:
        value = self.headers.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or url


def _error_from(response: requests.Response, retry_after: float | None) -> ApiError:
    status = response.status_code
    message = f"The server answered HTTP {status}"
    code: str | None = None
    field_errors: dict[str, list[str]] = {}
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, dict):
            field_errors = {
                str(name): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                for name, msgs in errors.items()
            }
            message = summarize_field_errors(field_errors) or message
        if isinstance(payload.get("error"), str):
            message = payload["error"]
        if isinstance(payload.get("code"), str):
            code = payload["code"]
    return error_class(status)(status, message, code, field_errors, retry_after)


def _parse_body(response: requests.Response) -> Any:
    if response.status_code in (204, 304) or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        content_type = response.headers.get("Content-Type", "no content type")
        raise MalformedResponseError(
            f"The server sent a response that is not JSON (HTTP {response.status_code}, "
            f"{content_type.split(';')[0]}); is the server URL right?"
        ) from None


class _ApiKeyAuth(AuthBase):
    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"ApiKey {self._key}"
        return request

    def __repr__(self) -> str:  # never show the key
        return "_ApiKeyAuth(...)"


@dataclass
class ApiSession:
    """Talks to one server with one key. Use one ApiSession per thread: requests.Session
    does not promise thread safety."""

    base_url: str
    api_key: str | None
    timeout: tuple[float, float] = (5.0, 60.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cancel: threading.Event | None = None
    http: requests.Session = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.http = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)
        self.http.headers["User-Agent"] = f"Folio/{__version__}"
        self.http.headers["Accept"] = "application/json"
        if self.api_key:
            # As the session's auth, not a default header: requests would otherwise replace
            # it with Basic credentials from a ~/.netrc entry for the same host.
            self.http.auth = _ApiKeyAuth(self.api_key)

    def __repr__(self) -> str:  # never show the key
        return f"ApiSession({self.base_url!r})"

    @property
    def host(self) -> str:
        return _host_of(self.base_url)

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        idempotency_key: str | None = None,
        cancel: threading.Event | None = None,
    ) -> ApiResponse:
        """Send one API call, retrying what is safe to retry.

        ``path`` starts with ``/`` (``/v2/groups``). Raises ApiError subclasses for error
        statuses, TransportError when the server can't be reached after the retries,
        MalformedResponseError for a body that isn't JSON, CancelledError when ``cancel``
        (or the session's cancel event) is set between attempts.
        """
        method = method.upper()
        cancel = cancel or self.cancel
        sent_headers: dict[str, str] = dict(headers or {})
        if method in IDEMPOTENT_KEYED_METHODS:
            sent_headers["Idempotency-Key"] = idempotency_key or new_idempotency_key()
        if if_match:
            sent_headers["If-Match"] = if_match
        if if_none_match:
            sent_headers["If-None-Match"] = if_none_match
        payload: Any = data
        if json_body is not None:
            payload = json.dumps(json_body, separators=(",", ":")).encode()
            sent_headers["Content-Type"] = "application/json"
        url = self.base_url + path
        file_positions = _file_positions(files)
        attempt = 0
        while True:
            attempt += 1
            if cancel is not None and cancel.is_set():
                raise CancelledError("Cancelled")
            if hasattr(payload, "seek"):
                payload.seek(0)
            for file, position in file_positions:
                file.seek(position)
            try:
                response = self.http.request(
                    method,
                    url,
                    params=params,
                    data=payload,
                    files=files,
                    headers=sent_headers,
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                failure: ClientErrorLike = TransportError(_describe_transport_error(exc, self.host))
                retry_after = None
            else:
                if response.status_code < 400 or response.status_code == 304:
                    return ApiResponse(
                        response.status_code, response.headers, _parse_body(response)
                    )
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                failure = _error_from(response, retry_after)
                if response.status_code not in RETRY_STATUSES:
                    raise failure
                if retry_after is not None and retry_after > self.retry.max_retry_after:
                    raise failure
            if attempt >= self.retry.attempts:
                raise failure
            delay = self.retry.delay(attempt, retry_after)
            log.info("%s %s failed (%s); retry %d in %.2f s", method, path, failure, attempt, delay)
            if cancel is not None:
                if cancel.wait(delay):
                    raise CancelledError("Cancelled")
            else:
                time.sleep(delay)


def _file_positions(files: Any) -> list[tuple[Any, int]]:
    """The file objects of a multipart ``files`` argument with their current positions, so
    each retry can send them whole again rather than from where the failed attempt stopped."""
    entries = files.values() if isinstance(files, Mapping) else (files or ())
    found: list[tuple[Any, int]] = []
    for entry in entries:
        value = entry[1] if isinstance(entry, tuple) and len(entry) > 1 else entry
        if isinstance(value, tuple):  # a (filename, file, ...) tuple in a list of pairs
            value = value[1] if len(value) > 1 else None
        if hasattr(value, "seek") and hasattr(value, "tell"):
            found.append((value, value.tell()))
    return found


def _describe_transport_error(exc: requests.RequestException, host: str) -> str:
    # requests' own messages embed the full URL; say what happened in words instead.
    if isinstance(exc, requests.ConnectTimeout):
        return f"Could not reach {host}: the connection timed out"
    if isinstance(exc, requests.ReadTimeout):
        return f"{host} did not answer in time"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"Could not make a secure connection to {host}"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc).lower()
        if "refused" in text:
            return f"Could not reach {host}: connection refused (is the server running?)"
        if "name or service not known" in text or "nodename nor servname" in text:
            return f"Could not reach {host}: unknown host name"
        if "reset" in text or "aborted" in text or "remotedisconnected" in text:
            return f"The connection to {host} broke before the server answered"
        return f"Could not reach {host}: the connection failed"
    return f"The request to {host} failed"
