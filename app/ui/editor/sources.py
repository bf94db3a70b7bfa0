"""Where an editor session comes from and goes to: a local PDF (hotspots in its annotations)
or a publication in the local library (hotspots on its spreads, saved through the outbox).

Everything here runs in workers: PDF work on the PyMuPDF thread, library work in the pool.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.core.errors import FolioError, NotFoundError, ValidationError
from app.core.geometry import PageBox, Rect, SpreadLayout
from app.core.hotspot_fields import hotspot_properties
from app.core.hotspots import Hotspot, HotspotType
from app.mirror.library import Library
from app.ui.editor.model import EditorHotspot, EditorPage, display_rect, user_rect

# Fields of the API representation that are not the hotspot's own properties.
_API_META = frozenset(
    {
        "id",
        "spread_id",
        "type",
        "x",
        "y",
        "width",
        "height",
        "on_page",
        "page_rect",
        "origin",
        "created_at",
        "updated_at",
        "products",
        "provider",
        "video_id",
        "group_id",
        "publication_id",
        "sync_state",
    }
)
# Properties derived by the server and by the domain, never sent.
_DERIVED = frozenset({"provider", "video_id", "products"})


@dataclass(frozen=True)
class PdfSession:
    path: Path
    pages: list[EditorPage]
    hotspots: list[Hotspot]
    warnings: list[str]


@dataclass(frozen=True)
class PublicationSession:
    publication_id: int
    group_id: int
    title: str
    pages: list[EditorPage]
    hotspots: list[EditorHotspot]
    """With their server ids (negative for ones not yet sent)."""
    source_url: str | None = None


@dataclass
class ServerChanges:
    created: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    """(editor key, spread id, fields)."""
    updated: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(server id, changed fields)."""
    deleted: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.created) + len(self.updated) + len(self.deleted)


def load_pdf(path: Path) -> PdfSession:
    """Pages and annotation hotspots of a local PDF (run on the PyMuPDF thread). Raises
    InvalidPdfError for a broken or encrypted file, OSError when it can't be read."""
    from app.pdf.annotation_reader import read_hotspots
    from app.pdf.document import PdfDocument

    with PdfDocument.open(path, in_memory=False) as doc:
        pages = [EditorPage(n, doc.page_box(n)) for n in range(1, doc.page_count + 1)]
        extraction = read_hotspots(doc)
    warnings = [f"Page {w.page}: {w.reason}" for w in extraction.warnings]
    return PdfSession(path, pages, extraction.hotspots, warnings)


def _display_box(width: float, height: float) -> PageBox:
    """User space of a page known only by its displayed size: the display itself, y up."""
    return PageBox(Rect(0.0, 0.0, max(width, 1e-3), max(height, 1e-3)), 0)


def spread_layout(pages: Sequence[EditorPage]) -> SpreadLayout:
    return SpreadLayout([_display_box(*page.size) for page in pages])


def api_properties(kind: HotspotType, data: Mapping[str, Any]) -> dict[str, Any]:
    """A hotspot's properties from its API representation, defaults filled in."""
    raw = {k: v for k, v in data.items() if k not in _API_META}
    try:
        return hotspot_properties(kind, raw)
    except ValidationError:
        # A server hotspot the rules here would refuse still shows, as it is; the lint says
        # what is wrong with it.
        return raw


def load_publication(library: Library, publication_id: int) -> PublicationSession:
    """Pages (by their displayed size) and hotspots of a synced publication."""
    publication = library.publication(publication_id).data
    pages: list[EditorPage] = []
    hotspots: list[EditorHotspot] = []
    key = 0
    for spread in library.spreads(publication_id):
        spread_pages = []
        for page in spread.data.get("pages") or []:
            box = _display_box(float(page.get("width") or 0), float(page.get("height") or 0))
            spread_pages.append(
                EditorPage(int(page["number"]), box, spread.id, page.get("image_url"))
            )
        pages += spread_pages
        if not spread_pages:
            continue
        layout = spread_layout(spread_pages)
        numbers = [page.number for page in spread_pages]
        for item in library.hotspots(spread.id):
            data = item.data
            try:
                kind = HotspotType(data.get("type"))
                fraction = Rect(
                    float(data["x"]),
                    float(data["y"]),
                    float(data["x"]) + float(data["width"]),
                    float(data["y"]) + float(data["height"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
            on_page = data.get("on_page")
            if on_page in numbers:
                index = numbers.index(on_page)
                page_fraction = _spread_to_page(layout, index, fraction)
            else:
                index, page_fraction = layout.spread_to_page(fraction)
            page = spread_pages[index]
            width, height = page.size
            shown = Rect(
                page_fraction.x0 * width,
                page_fraction.y0 * height,
                page_fraction.x1 * width,
                page_fraction.y1 * height,
            )
            key += 1
            hotspot = Hotspot(kind, page.number, user_rect(page, shown), api_properties(kind, data))
            hotspots.append(EditorHotspot(key, hotspot, item.id))
    pages.sort(key=lambda page: page.number)
    return PublicationSession(
        publication_id,
        int(publication.get("group_id") or 0),
        str(publication.get("title") or f"Publication {publication_id}"),
        pages,
        hotspots,
        publication.get("source_url"),
    )


def _spread_to_page(layout: SpreadLayout, index: int, fraction: Rect) -> Rect:
    """Spread fractions as fractions of page ``index`` (the inverse of page_to_spread)."""
    unit = layout.page_to_spread(index, Rect(0.0, 0.0, 1.0, 1.0))
    return Rect(
        (fraction.x0 - unit.x0) / unit.width,
        (fraction.y0 - unit.y0) / unit.height,
        (fraction.x1 - unit.x0) / unit.width,
        (fraction.y1 - unit.y0) / unit.height,
    )


def hotspot_fields(item: EditorHotspot, pages: Sequence[EditorPage]) -> dict[str, Any]:
    """The API fields of a hotspot: its type, its place as spread fractions and its
    properties."""
    page = pages[item.page - 1]
    spread_pages = [p for p in pages if p.spread_id == page.spread_id]
    index = [p.number for p in spread_pages].index(page.number)
    width, height = page.size
    shown = display_rect(page, item.rect)
    page_fraction = Rect(shown.x0 / width, shown.y0 / height, shown.x1 / width, shown.y1 / height)
    fraction = spread_layout(spread_pages).page_to_spread(index, page_fraction)
    properties = {k: v for k, v in item.properties.items() if k not in _DERIVED}
    return {
        "type": item.type.value,
        "x": fraction.x0,
        "y": fraction.y0,
        "width": fraction.width,
        "height": fraction.height,
        **properties,
    }


def server_changes(
    original: Sequence[EditorHotspot], current: Sequence[EditorHotspot], pages: Sequence[EditorPage]
) -> ServerChanges:
    """What to send so the server has ``current``, given what it had (``original``)."""
    changes = ServerChanges()
    before = {item.server_id: item for item in original if item.server_id is not None}
    kept: set[int] = set()
    for item in current:
        old = before.get(item.server_id) if item.server_id is not None else None
        if old is None:
            spread_id = pages[item.page - 1].spread_id
            if spread_id is not None:
                changes.created.append((item.key, spread_id, hotspot_fields(item, pages)))
            continue
        same_spread = pages[old.page - 1].spread_id == pages[item.page - 1].spread_id
        if old.type != item.type or not same_spread:
            # The type can't change on the server, nor the spread: a new hotspot replaces it.
            spread_id = pages[item.page - 1].spread_id
            if spread_id is not None:
                changes.created.append((item.key, spread_id, hotspot_fields(item, pages)))
            continue
        kept.add(old.server_id)  # type: ignore[arg-type]
        if old.hotspot == item.hotspot:
            continue
        new_fields = hotspot_fields(item, pages)
        old_fields = hotspot_fields(old, pages)
        changed = {k: v for k, v in new_fields.items() if old_fields.get(k) != v and k != "type"}
        for name in old_fields:
            if name not in new_fields and name not in ("type", *_DERIVED):
                changed[name] = None
        if changed:
            changes.updated.append((item.server_id, changed))  # type: ignore[arg-type]
    changes.deleted = [server_id for server_id in before if server_id not in kept]
    return changes


@dataclass
class SentChanges:
    """What the library took, so a failure half-way sends the rest (and only the rest) at
    the next save."""

    created: dict[int, int] = field(default_factory=dict)
    """Local ids of created hotspots by editor key."""
    deleted: set[int] = field(default_factory=set)
    updated: set[int] = field(default_factory=set)
    error: FolioError | None = None

    @property
    def count(self) -> int:
        return len(self.created) + len(self.deleted) + len(self.updated)


def send_changes(library: Library, changes: ServerChanges) -> SentChanges:
    """Queue the changes in the library's outbox (sent at the next sync, offline too), one
    by one; stops at the first the library refuses and says so in ``error``."""
    sent = SentChanges()
    try:
        for server_id in changes.deleted:
            # Gone already (deleted on the server and synced) is what was wanted.
            with contextlib.suppress(NotFoundError):
                library.delete_hotspot(server_id)
            sent.deleted.add(server_id)
        for server_id, fields in changes.updated:
            library.update_hotspot(server_id, fields)
            sent.updated.add(server_id)
        for key, spread_id, fields in changes.created:
            change = library.create_hotspot(spread_id, fields)
            sent.created[key] = change.ids[0]
    except FolioError as error:
        sent.error = error
    return sent


def after_sending(
    original: Sequence[EditorHotspot], current: Sequence[EditorHotspot], sent: SentChanges
) -> tuple[EditorHotspot, ...]:
    """What the library has now: ``original`` with the changes it took from ``current``."""
    by_id = {item.server_id: item for item in current if item.server_id is not None}
    kept = [
        by_id[item.server_id] if item.server_id in sent.updated else item
        for item in original
        if item.server_id not in sent.deleted
    ]
    kept += [
        replace(item, server_id=sent.created[item.key])
        for item in current
        if item.key in sent.created
    ]
    return tuple(kept)
