"""Queuing a conversion, and where its source comes from: one of this server's uploads (decided when the
request arrives, from the URL's host and path) or any other http(s) URL, fetched later."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import SplitResult, urlsplit

from sqlalchemy.orm import Session

from app.core.enums import ConversionSource, ConversionState, EntityType
from app.core.timestamps import utc_now
from app.server.errors import FieldErrors
from app.server.models import Conversion, Publication, Upload
from app.server.presenters import conversion_data
from app.server.write_context import Transaction

UPLOAD_PATH = re.compile(r"^/v2/uploads/(\d{1,18})/?$")


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same_server(url: SplitResult, base: SplitResult) -> bool:
    """The URL points at the server the request came to (by the name the client used, or
    by any loopback name on the same port)."""
    if url.netloc.lower() == base.netloc.lower():
        return True
    try:
        same_port = url.port == base.port
    except ValueError:
        return False
    return same_port and _is_loopback(url.hostname) and _is_loopback(base.hostname)


def source_parameters(
    session: Session, account_id: int, source_url: str, base_url: str
) -> dict[str, Any]:
    """``{"upload_id": n}`` when ``source_url`` names one of this server's uploads of the
    caller's account, ``{}`` for a URL to fetch. Raises FieldErrors (422) for an upload URL
    of this server that names no upload of the account."""
    url = urlsplit(source_url)
    match = UPLOAD_PATH.match(url.path)
    if match is None or not _same_server(url, urlsplit(base_url)):
        return {}
    upload = session.get(Upload, int(match.group(1)))
    if upload is None or upload.account_id != account_id:
        raise FieldErrors({"source_url": ["names an upload that doesn't exist"]})
    return {"upload_id": upload.id}


def queue_conversion(
    tx: Transaction,
    publication: Publication,
    source: ConversionSource,
    source_url: str,
    extraction_options: dict[str, Any] | None,
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add a waiting conversion in the request's transaction (with its change-feed entry) and
    return its representation. An upload URL of this server is checked now (422)."""
    now = utc_now()
    conversion = Conversion(
        publication_id=publication.id,
        group_id=publication.group_id,
        state=ConversionState.NEW.value,
        source_type=source.value,
        source_url=source_url,
        parameters={
            **(parameters or {}),
            **source_parameters(tx.session, tx.account_id, source_url, tx.request.base_url),
        },
        extraction_options=extraction_options,
        created_at=now,
        updated_at=now,
    )
    tx.session.add(conversion)
    tx.session.flush()
    data = conversion_data(conversion)
    tx.changed(EntityType.CONVERSION, conversion.id, publication.group_id, data)
    return data
