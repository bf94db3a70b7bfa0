"""What the editor edits: the pages (how each is displayed) and the hotspots on them.

Hotspot rectangles stay in their page's PDF user space (``app.core.geometry``), exactly what
the PDF annotations and the server store, so nothing is rounded through screen pixels. The
whole state is an immutable tuple in z-order (later is on top); an edit swaps in a new tuple,
which makes every undo step a pair of tuples and every change easy to diff.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.geometry import PageBox, Rect
from app.core.hotspots import Hotspot, HotspotType


@dataclass(frozen=True)
class EditorPage:
    """One page as the editor shows it. ``number`` is 1-based; ``box`` says how user space
    maps to what a reader sees. A server publication without its PDF uses the displayed page
    itself as user space (CropBox at the origin, no rotation)."""

    number: int
    box: PageBox
    spread_id: int | None = None
    image_url: str | None = None

    @property
    def size(self) -> tuple[float, float]:
        """Displayed width and height in points."""
        return self.box.display_size


@dataclass(frozen=True)
class EditorHotspot:
    """A hotspot with the editor's own key (stable across edits, undo and redo) and, for one
    that came from the server, its id there."""

    key: int
    hotspot: Hotspot
    server_id: int | None = None

    @property
    def page(self) -> int:
        return self.hotspot.page

    @property
    def rect(self) -> Rect:
        return self.hotspot.rect

    @property
    def type(self) -> HotspotType:
        return self.hotspot.type

    @property
    def properties(self) -> dict[str, Any]:
        return self.hotspot.properties

    def with_rect(self, rect: Rect) -> EditorHotspot:
        return replace(self, hotspot=replace(self.hotspot, rect=rect))

    def with_properties(self, properties: dict[str, Any]) -> EditorHotspot:
        return replace(self, hotspot=replace(self.hotspot, properties=dict(properties)))

    def with_hotspot(self, hotspot: Hotspot) -> EditorHotspot:
        return replace(self, hotspot=hotspot)


State = tuple[EditorHotspot, ...]


def display_rect(page: EditorPage, rect: Rect) -> Rect:
    """A user-space rectangle as points from the displayed page's top-left corner."""
    ax, ay = page.box.to_display(rect.x0, rect.y0)
    bx, by = page.box.to_display(rect.x1, rect.y1)
    return Rect.spanning(ax, ay, bx, by)


def user_rect(page: EditorPage, shown: Rect) -> Rect:
    """The inverse of ``display_rect``."""
    ax, ay = page.box.from_display(shown.x0, shown.y0)
    bx, by = page.box.from_display(shown.x1, shown.y1)
    return Rect.spanning(ax, ay, bx, by)


class HotspotModel(QObject):
    """The pages and the current hotspots. ``changed`` carries the keys whose hotspot was
    added, changed, removed or moved in z-order; ``pages_changed`` fires when a page was
    replaced (its box or image changed)."""

    changed = Signal(object)  # frozenset[int]
    pages_changed = Signal(object)  # frozenset[int] of page numbers

    def __init__(self, pages: Sequence[EditorPage], hotspots: Iterable[EditorHotspot] = ()) -> None:
        super().__init__()
        self._pages = list(pages)
        self._state: State = tuple(hotspots)
        start = max((item.key for item in self._state), default=0) + 1
        self._keys = itertools.count(start)

    # --- pages --------------------------------------------------------------------------

    @property
    def pages(self) -> list[EditorPage]:
        return list(self._pages)

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def page(self, number: int) -> EditorPage:
        return self._pages[number - 1]

    def boxes(self) -> dict[int, PageBox]:
        return {page.number: page.box for page in self._pages}

    def set_page(self, page: EditorPage) -> None:
        self._pages[page.number - 1] = page
        self.pages_changed.emit(frozenset({page.number}))

    # --- hotspots -----------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    def new_key(self) -> int:
        return next(self._keys)

    def new_hotspot(self, hotspot: Hotspot) -> EditorHotspot:
        return EditorHotspot(self.new_key(), hotspot)

    def get(self, key: int) -> EditorHotspot | None:
        return next((item for item in self._state if item.key == key), None)

    def on_page(self, number: int) -> list[EditorHotspot]:
        """The page's hotspots, bottom first."""
        return [item for item in self._state if item.page == number]

    def keys(self) -> list[int]:
        return [item.key for item in self._state]

    def apply(self, state: State) -> None:
        """Make ``state`` current and say which keys it touched (used by undo commands)."""
        before = {item.key: (position, item) for position, item in enumerate(self._state)}
        after = {item.key: (position, item) for position, item in enumerate(state)}
        touched = set(before.keys() ^ after.keys())
        order_before = [item.key for item in self._state if item.key in after]
        order_after = [item.key for item in state if item.key in before]
        for key in before.keys() & after.keys():
            if before[key][1] is not after[key][1]:
                touched.add(key)
        if order_before != order_after:
            for a, b in zip(order_before, order_after, strict=True):
                if a != b:
                    touched.update((a, b))
        self._state = tuple(state)
        if touched:
            self.changed.emit(frozenset(touched))
