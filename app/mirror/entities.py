"""What the mirror knows about each kind of synced resource: its table, its columns, and
the API paths that create, change and delete it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.enums import EntityType
from app.mirror.schema import (
    Base,
    Collection,
    Conversion,
    Group,
    Hotspot,
    Metatag,
    OutboxEntry,
    Publication,
    Spread,
)

Data = dict[str, Any]


def _publication_columns(data: Data) -> Data:
    return {
        "group_id": data.get("group_id"),
        "title": data.get("title") or "",
        "slug": data.get("slug"),
        "state": data.get("state") or "offline",
        "disable_seo": bool(data.get("disable_seo")),
        "collection_id": data.get("collection_id"),
        "page_count": data.get("page_count") or 0,
        "language": data.get("language"),
        "cover_url": data.get("cover_url"),
        "updated_at": data.get("updated_at"),
    }


def _metatag_columns(data: Data) -> Data:
    return {
        "group_id": data.get("group_id"),
        "category": data.get("category") or "",
        "value": data.get("value") or "",
    }


def _collection_columns(data: Data) -> Data:
    return {"group_id": data.get("group_id"), "title": data.get("title") or ""}


def _hotspot_columns(data: Data) -> Data:
    return {"spread_id": data.get("spread_id"), "type": data.get("type") or ""}


def _group_columns(data: Data) -> Data:
    return {
        "title": data.get("title") or "",
        "publication_count": data.get("publication_count") or 0,
    }


def _conversion_columns(data: Data) -> Data:
    return {
        "group_id": data.get("group_id"),
        "publication_id": data.get("publication_id"),
        "state": data.get("state") or "new",
    }


def _spread_columns(data: Data) -> Data:
    return {"publication_id": data.get("publication_id"), "position": data.get("position") or 0}


@dataclass(frozen=True)
class EntitySpec:
    """One resource type. ``editable`` types have SyncedColumns and go through the outbox."""

    type: EntityType
    model: type[Base]
    columns: Callable[[Data], Data]
    editable: bool = False
    # The JSON key wrapping a request or response body: {"publication": {...}}.
    wrapper: str = ""
    update_method: str = "PUT"
    # Fields the API takes on an update but not on a create.
    update_only: frozenset[str] = frozenset()

    def collection_path(self, entry: OutboxEntry) -> str:
        if self.type is EntityType.HOTSPOT:
            return f"/v2/spreads/{entry.parent_id}/hotspots"
        return f"/v2/groups/{entry.group_id}/{self.wrapper}s"

    def item_path(self, entry: OutboxEntry) -> str:
        return f"{self.collection_path(entry)}/{entry.entity_id}"

    def unwrap(self, body: Any) -> Data | None:
        """The resource in a response body, or None when the body isn't the expected shape."""
        inner = body.get(self.wrapper) if isinstance(body, dict) else None
        if isinstance(inner, list) and len(inner) == 1:
            inner = inner[0]
        return inner if isinstance(inner, dict) else None


SPECS: dict[EntityType, EntitySpec] = {
    EntityType.GROUP: EntitySpec(EntityType.GROUP, Group, _group_columns),
    EntityType.PUBLICATION: EntitySpec(
        EntityType.PUBLICATION,
        Publication,
        _publication_columns,
        editable=True,
        wrapper="publication",
        update_only=frozenset({"slug"}),
    ),
    EntityType.METATAG: EntitySpec(
        EntityType.METATAG,
        Metatag,
        _metatag_columns,
        editable=True,
        wrapper="metatag",
    ),
    EntityType.COLLECTION: EntitySpec(
        EntityType.COLLECTION,
        Collection,
        _collection_columns,
        editable=True,
        wrapper="collection",
    ),
    EntityType.HOTSPOT: EntitySpec(
        EntityType.HOTSPOT,
        Hotspot,
        _hotspot_columns,
        editable=True,
        wrapper="hotspot",
        update_method="PATCH",
    ),
    EntityType.CONVERSION: EntitySpec(EntityType.CONVERSION, Conversion, _conversion_columns),
    EntityType.SPREAD: EntitySpec(EntityType.SPREAD, Spread, _spread_columns),
}


def spec_for(entity_type: str | EntityType) -> EntitySpec | None:
    """The spec of a type name from the change feed; None for types this mirror skips."""
    try:
        return SPECS.get(EntityType(entity_type))
    except ValueError:
        return None


def row_values(spec: EntitySpec, entity_id: int, data: Data, group_id: int | None) -> Data:
    """The column values of a read-only row (or the server-side columns of an editable one)."""
    values = {"id": entity_id, "data": data, **spec.columns(data)}
    if hasattr(spec.model, "group_id") and values.get("group_id") is None:
        values["group_id"] = group_id
    return values
