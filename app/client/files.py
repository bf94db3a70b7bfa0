"""Downloading the files the API links to (covers, page images and thumbnails).

They are public URLs (the viewer shows them without a key), so no key is sent: a cover on a
CDN host never sees it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from app.client.errors import ApiError, TransportError

MAX_IMAGE_BYTES = 20_000_000


def fetch_file(
    url: str, *, max_bytes: int = MAX_IMAGE_BYTES, timeout: tuple[float, float] = (5.0, 30.0)
) -> bytes:
    """The bytes at ``url`` (http or https only). Raises TransportError when it can't be
    reached or is larger than ``max_bytes``, ApiError for an error status."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise TransportError("Only http and https files can be downloaded")
    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            if response.status_code >= 400:
                raise ApiError(
                    response.status_code, f"The file answered HTTP {response.status_code}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise TransportError(f"The file is larger than {max_bytes // 1_000_000} MB")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.RequestException as exc:
        raise TransportError(f"The file could not be downloaded ({type(exc).__name__})") from None
