"""The words for changes made here: entity names ("Publication “Spring”"), field labels, values
and what a change does, and the server's answer to one. The waiting-changes and conflict
dialogs and the metatag and collection managers use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import QObject

from app.core.enums import EntityType
from app.mirror.library import Library, OutboxView
from app.mirror.outbox import EntryState, Op
from app.ui.sync_controller import SyncController

TYPE_WORDS = {
    "publication": "Publication",
    "metatag": "Metatag",
    "collection": "Collection",
    "hotspot": "Hotspot",
    "group": "Group",
    "product_feed": "Product feed",
}
FIELD_LABELS = {
    "title": "Title",
    "browser_title": "Browser title",
    "description": "Description",
    "slug": "Slug",
    "language": "Language",
    "metatag_ids": "Metatags",
    "metatags_category": "Metatags category",
    "valid_from": "Valid from",
    "schedule_online_at": "Goes online at",
    "schedule_offline_at": "Goes offline at",
    "online_at": "Online since",
    "offline_at": "Offline since",
    "collection_id": "Collection",
    "layout_type": "Layout",
    "extraction_options": "Extraction options",
    "state": "State",
    "disable_seo": "Unlisted",
    "page_count": "Pages",
    "category": "Category",
    "value": "Value",
    "source_url": "Source",
    "source_path": "PDF file",
    "force_delete": "Even if in use",
    "updated_at": "Last changed",
    "created_at": "Created",
}
TIME_FIELDS = frozenset(
    {"schedule_online_at", "schedule_offline_at", "online_at", "offline_at", "updated_at"}
)
OP_WORDS = {
    Op.CREATE: "Create",
    Op.UPDATE: "Change",
    Op.DELETE: "Delete",
    Op.ONLINE: "Put online",
    Op.OFFLINE: "Take offline",
    Op.UNLISTED: "Put online unlisted",
}
STATE_WORDS = {
    EntryState.QUEUED: "queued",
    EntryState.FAILED: "refused",
    EntryState.CONFLICT: "conflict",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def _without_query(url: str) -> str:
    """A URL safe to show: a query string may carry a token."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _local_time(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


@dataclass(frozen=True)
class Names:
    """Titles for ids, so a change reads "Publication “Spring”" rather than a number."""

    publications: dict[int, str] = field(default_factory=dict)
    metatags: dict[int, str] = field(default_factory=dict)
    collections: dict[int, str] = field(default_factory=dict)

    def known(self, entity_type: str, entity_id: int) -> str | None:
        table = {
            "publication": self.publications,
            "metatag": self.metatags,
            "collection": self.collections,
        }.get(entity_type, {})
        return table.get(entity_id)

    def entity(self, entity_type: str, entity_id: int, *versions: Mapping[str, Any] | None) -> str:
        """``Publication “Spring”``; the versions (mine, theirs) help for ones deleted here."""
        word = TYPE_WORDS.get(entity_type, entity_type.replace("_", " ").capitalize())
        name = self.known(entity_type, entity_id) or _name_in(entity_type, versions)
        return f"{word} “{name}”" if name else f"{word} {entity_id}"

    def value(self, name: str, value: Any) -> str:
        """A field's value in words ("(empty)" for none)."""
        if value is None or value == "" or value == []:
            return "(empty)" if name not in ("metatag_ids", "collection_id") else "(none)"
        if name == "metatag_ids" and isinstance(value, list):
            return ", ".join(self.metatags.get(i, f"metatag {i}") for i in value)
        if name == "collection_id" and isinstance(value, int):
            return self.collections.get(value, f"collection {value}")
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dict):
            return ", ".join(f"{k}: {self.value(k, v)}" for k, v in value.items()) or "(empty)"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        text = str(value)
        if name in TIME_FIELDS:
            return _local_time(text)
        if name.endswith("url") or text.startswith(("http://", "https://")):
            return _without_query(text)
        return text


def _name_in(entity_type: str, versions: Iterable[Mapping[str, Any] | None]) -> str | None:
    for data in versions:
        if not data:
            continue
        if entity_type == "metatag" and data.get("category") and data.get("value"):
            return f"{data['category']}: {data['value']}"
        if data.get("title"):
            return str(data["title"])
    return None


def load_names(library: Library, publication_ids: Iterable[int]) -> Names:
    """Read the titles the words need (in a worker: it reads the library)."""
    rows = library.publication_rows(sorted(set(publication_ids)))
    metatags: dict[int, str] = {}
    collections: dict[int, str] = {}
    for group in library.groups():
        for tag in library.metatags(group.id):
            metatags[tag.id] = f"{tag.data.get('category', '')}: {tag.data.get('value', '')}"
        for collection in library.collections(group.id):
            collections[collection.id] = str(collection.data.get("title", ""))
    return Names(
        publications={pub_id: row.title for pub_id, row in rows.items()},
        metatags=metatags,
        collections=collections,
    )


def describe_change(entry: OutboxView) -> str:
    """The change in words: "Change title, slug", "Put online", "Delete (even if in use)"."""
    op = Op(entry.op)
    if op is Op.DELETE:
        word = "Archive" if entry.entity_type == EntityType.PUBLICATION.value else "Delete"
        return f"{word} (even if in use)" if entry.payload.get("force_delete") else word
    if op is Op.UPDATE:
        return "Change " + ", ".join(field_label(n).lower() for n in entry.payload)
    return OP_WORDS[op]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def follow_syncs(parent: QObject | None, slot: Callable[[object], None]) -> Callable[[], None]:
    """Call ``slot`` after each sync of the window, when the dialog's parent is the window:
    what a sync settles (ids adopted, changes refused) shows while the dialog is open.
    Returns the function that stops it (a closing dialog calls it)."""
    sync = getattr(parent, "sync", None)
    if not isinstance(sync, SyncController):
        return lambda: None
    sync.finished.connect(slot)
    return lambda: sync.finished.disconnect(slot)


def server_answer(entry: OutboxView) -> list[str]:
    """Why the server refused it: a line per field ("Slug has already been taken"), else its
    message (for a 422 the message only repeats the fields, with their raw names)."""
    lines = []
    for name, messages in (entry.field_errors or {}).items():
        text = ", ".join(str(m) for m in messages) if isinstance(messages, list) else messages
        lines.append(f"{field_label(name)} {text}" if name != "base" else str(text))
    if not lines and entry.error:
        lines.append(entry.error)
    return lines
