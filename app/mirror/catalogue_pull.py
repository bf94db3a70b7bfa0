"""The groups' product catalogues, fetched again whenever an import changed one.

The change feed announces imports (``product_feed`` entries), not the products themselves:
a finished import (or a deleted feed, which clears the catalogue) is the cue to fetch the
group's whole catalogue and replace the mirror's copy in one transaction.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import delete, insert

from app.client.errors import NotFoundApiError
from app.client.pagination import list_items
from app.client.transport import ApiSession
from app.mirror.schema import Product
from app.mirror.store import MirrorStore

Data = dict[str, Any]


def catalogue_changes(changes: list[Data]) -> set[int]:
    """The groups whose catalogue these feed entries changed."""
    groups: set[int] = set()
    for change in changes:
        if change.get("type") != "product_feed" or not isinstance(change.get("group_id"), int):
            continue
        data = change.get("data") or {}
        if change.get("op") == "delete" or data.get("state") == "success":
            groups.add(change["group_id"])
    return groups


def pull_catalogues(
    store: MirrorStore, api: ApiSession, groups: set[int], cancel: threading.Event | None
) -> int:
    """Replace the mirrored catalogue of each group; returns the number of products stored."""
    stored = 0
    for group_id in sorted(groups):
        try:
            response = api.request("GET", f"/v2/groups/{group_id}/products", cancel=cancel)
        except NotFoundApiError:
            continue  # a group gone since, or a server without catalogues
        rows = [
            {
                "group_id": group_id,
                "sku": item["sku"],
                "title": item.get("title") or "",
                "price": item.get("price"),
                "data": item,
            }
            for item in list_items(response.body, "products")
            if isinstance(item.get("sku"), str)
        ]
        with store.write() as session:
            session.execute(delete(Product).where(Product.group_id == group_id))
            if rows:
                session.execute(insert(Product), rows)
        stored += len(rows)
    return stored
