"""Field names with a meaning across the API's resources."""

from __future__ import annotations

URL_FIELDS = (
    "url",
    "cover_url",
    "pdf_download_url",
    "public_url",
    "publications_url",
    "source_url",
    "image_url",
    "thumbnail_url",
)
"""Fields holding URLs of the server itself: absolute, so they name the address a client
reached the server by (made absolute per request by the server, ignored when a client
compares two versions of a resource)."""
