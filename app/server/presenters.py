"""Resource representations, exactly in the seed's field order.

URL fields are built relative ("/v2/...") and made absolute per request by ``absolutize``,
so stored change-feed snapshots stay valid whatever host a client reaches the server by.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from app.core.resource_fields import URL_FIELDS
from app.core.timestamps import format_date, format_datetime
from app.server.models import (
    ApiKey,
    Collection,
    Conversion,
    Group,
    Metatag,
    Product,
    ProductFeed,
    Publication,
)

FILES_PREFIX = "/files/"


def file_url(name: str | None) -> str | None:
    """The (relative) URL the server serves a stored file at."""
    return f"{FILES_PREFIX}{name}" if name else None


def absolutize(item: dict[str, Any], base_url: str) -> dict[str, Any]:
    """``item`` with its URL fields, and those of nested lists of objects, made absolute."""
    out = dict(item)
    for field, value in out.items():
        if field in URL_FIELDS and isinstance(value, str) and value.startswith("/"):
            out[field] = base_url + value
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[field] = [absolutize(entry, base_url) for entry in value]
    return out


def group_data(group: Group, publication_count: int) -> dict[str, Any]:
    return {
        "id": group.id,
        "title": group.title,
        "slug": group.slug,
        "url": f"/v2/groups/{group.id}",
        "publications_url": f"/v2/groups/{group.id}/publications",
        "publication_count": publication_count,
        "public_url": f"/view/{group.slug}",
        "created_at": format_datetime(group.created_at),
        "updated_at": format_datetime(group.updated_at),
    }


def publication_data(
    publication: Publication, group_slug: str, metatag_ids: list[int] | None = None
) -> dict[str, Any]:
    p = publication
    converted = p.page_count > 0
    ids = metatag_ids if metatag_ids is not None else [m.id for m in p.metatags]
    return {
        "id": p.id,
        "title": p.title,
        "browser_title": p.browser_title,
        "description": p.description,
        "slug": p.slug,
        "url": f"/v2/groups/{p.group_id}/publications/{p.id}",
        "cover_url": file_url(p.cover_path),
        "page_count": p.page_count,
        "pdf_download_url": file_url(p.pdf_path),
        "state": p.state,
        "disable_seo": p.disable_seo,
        "online_at": format_datetime(p.online_at),
        "offline_at": format_datetime(p.offline_at),
        "schedule_online_at": format_datetime(p.schedule_online_at),
        "schedule_offline_at": format_datetime(p.schedule_offline_at),
        "public_url": f"/view/{group_slug}/{p.slug}" if converted else None,
        "metatag_ids": sorted(ids),
        "valid_from": format_date(p.valid_from),
        "collection_id": p.collection_id,
        "language": p.language,
        "layout_type": p.layout_type,
        "group_id": p.group_id,
        "created_at": format_datetime(p.created_at),
        "updated_at": format_datetime(p.updated_at),
    }


def metatag_data(metatag: Metatag) -> dict[str, Any]:
    return {
        "id": metatag.id,
        "group_id": metatag.group_id,
        "category": metatag.category,
        "value": metatag.value,
    }


def collection_data(collection: Collection) -> dict[str, Any]:
    return {"id": collection.id, "title": collection.title, "group_id": collection.group_id}


def conversion_data(conversion: Conversion) -> dict[str, Any]:
    c = conversion
    return {
        "id": c.id,
        "group_id": c.group_id,
        "publication_id": c.publication_id,
        "state": c.state,
        "state_details": c.state_details,
        "source_type": c.source_type,
        "total_pages": c.total_pages,
        "converted_pages": c.converted_pages,
        "extraction_options": c.extraction_options,
        "warnings": c.warnings or [],
        "created_at": format_datetime(c.created_at),
        "updated_at": format_datetime(c.updated_at),
    }


def api_key_data(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "scope": key.scope,
        "prefix": key.prefix,
        "created_at": format_datetime(key.created_at),
        "last_used_at": format_datetime(key.last_used_at),
        "revoked_at": format_datetime(key.revoked_at),
    }


def _shown_url(url: str) -> str:
    """A feed URL as the API shows it: credentials and query values (tokens, often) are
    never echoed back; the user knows them, anyone reading over their shoulder needn't."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "&".join(
        f"{name}=***" if value else name for name, value in parse_qsl(parts.query, True)
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def product_feed_data(feed: ProductFeed) -> dict[str, Any]:
    """The seed's fields, then ext: why items were refused (the first 20) or the import
    failed, and its timestamps."""
    return {
        "id": feed.id,
        "group_id": feed.group_id,
        "url": _shown_url(feed.url),
        "state": feed.state,
        "success_count": feed.success_count,
        "failed_count": feed.failed_count,
        "errors_sample": list(feed.errors_sample or []),
        "error": feed.error,
        "created_at": format_datetime(feed.created_at),
        "updated_at": format_datetime(feed.updated_at),
        "finished_at": format_datetime(feed.finished_at),
    }


def product_data(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "title": product.title,
        "url": product.url,
        "image_url": product.image_url,
        "price": product.price,
        "description": product.description,
        "availability": product.availability,
        "brand": product.brand,
    }
