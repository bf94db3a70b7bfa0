"""Every change a designer makes, as undoable steps on a ``HotspotModel``: add, delete, move,
resize, nudge, edit properties, duplicate, z-order, align, distribute, copy and paste.

Geometry is worked in displayed-page points (what the designer sees, y down) and stored back
in user space, so "move right" means right on screen on a rotated page too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication, QUndoCommand, QUndoStack

from app.core.geometry import Rect
from app.core.hotspots import VIDEO_FLAGS, Hotspot, HotspotType
from app.ui.editor.model import (
    EditorHotspot,
    EditorPage,
    HotspotModel,
    State,
    display_rect,
    user_rect,
)

CLIPBOARD_KEY = "folio-hotspots"
PASTE_OFFSET = 10.0  # points: a paste on the same page lands beside the original
DUPLICATE_OFFSET = 10.0
NUDGE_ID = 1


def blank_properties(kind: HotspotType) -> dict[str, Any]:
    """A new hotspot's properties: the type's defaults and empty required fields, which the
    property panel asks for and the lint reports until they are filled in."""
    if kind is HotspotType.PRODUCT:
        return {"skus": [], "icon": True, "dynamic": True}
    if kind is HotspotType.EXTERNAL_LINK:
        return {"url": "", "popup": False}
    if kind is HotspotType.PAGE_REFERENCE:
        return {"page": None}
    if kind is HotspotType.VIDEO:
        return {"source": "", **VIDEO_FLAGS, "provider": None, "video_id": None}
    if kind is HotspotType.SLIDESHOW:
        return {"images": []}
    return {"source": ""}


class Align(StrEnum):
    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"
    TOP = "top"
    MIDDLE = "middle"
    BOTTOM = "bottom"


class StateCommand(QUndoCommand):
    """One undo step: the state before and after. Nudges of the same hotspots in a row merge
    into one step, so twenty arrow presses undo at once."""

    def __init__(
        self,
        model: HotspotModel,
        text: str,
        before: State,
        after: State,
        merge: int = -1,
        keys: frozenset[int] = frozenset(),
    ) -> None:
        super().__init__(text)
        self.model = model
        self.before = before
        self.after = after
        self.merge = merge
        self.keys = keys

    def id(self) -> int:
        return self.merge

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, StateCommand) or other.keys != self.keys:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.model.apply(self.after)

    def undo(self) -> None:
        self.model.apply(self.before)


class ReplacePageCommand(QUndoCommand):
    """A page shown from another file, with the hotspots kept for it."""

    def __init__(
        self,
        model: HotspotModel,
        number: int,
        page: EditorPage,
        source: tuple[Path, int],
        after: State,
        replacements: dict[int, tuple[Path, int]],
        show_source: Callable[[int, tuple[Path, int] | None], None],
    ) -> None:
        super().__init__(f"Replace page {number}")
        self.show_source = show_source
        self.model = model
        self.number = number
        self.old_page = model.page(number)
        self.new_page = page
        self.old_source = replacements.get(number)
        self.new_source = source
        self.before = model.state
        self.after = after
        self.replacements = replacements

    def _show(self, page: EditorPage, source: tuple[Path, int] | None, state: State) -> None:
        if source is None:
            self.replacements.pop(self.number, None)
        else:
            self.replacements[self.number] = source
        self.model.set_page(page)
        self.model.apply(state)
        self.show_source(self.number, source)

    def redo(self) -> None:
        self._show(self.new_page, self.new_source, self.after)

    def undo(self) -> None:
        self._show(self.old_page, self.old_source, self.before)


def clamp_to_page(shown: Rect, page: EditorPage) -> Rect:
    """Moves (never shrinks) a displayed rectangle so it lies on the page where it fits."""
    width, height = page.size
    dx = max(0.0, -shown.x0) - max(0.0, shown.x1 - width)
    dy = max(0.0, -shown.y0) - max(0.0, shown.y1 - height)
    if shown.width > width:
        dx = -shown.x0
    if shown.height > height:
        dy = -shown.y0
    return Rect(shown.x0 + dx, shown.y0 + dy, shown.x1 + dx, shown.y1 + dy)


def _offset(rect: Rect, dx: float, dy: float) -> Rect:
    return Rect(rect.x0 + dx, rect.y0 + dy, rect.x1 + dx, rect.y1 + dy)


def hotspot_to_json(item: EditorHotspot, page: EditorPage) -> dict[str, Any]:
    shown = display_rect(page, item.rect)
    return {
        "type": item.type.value,
        "page": item.page,
        "rect": [shown.x0, shown.y0, shown.x1, shown.y1],
        "properties": item.properties,
    }


class HotspotEditor(QObject):
    """The model, its undo stack and the selection, with an operation per editing action."""

    selection_changed = Signal()

    def __init__(self, model: HotspotModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.undo_stack = QUndoStack(self)
        self._selected: list[int] = []
        self._clipboard: list[dict[str, Any]] = []
        model.changed.connect(self._drop_missing)

    # --- selection ----------------------------------------------------------------------

    @property
    def selected(self) -> list[int]:
        return list(self._selected)

    def selected_items(self) -> list[EditorHotspot]:
        chosen = set(self._selected)
        return [item for item in self.model.state if item.key in chosen]

    def select(self, keys: Iterable[int]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if self.model.get(key) is not None]
        if wanted != self._selected:
            self._selected = wanted
            self.selection_changed.emit()

    def _drop_missing(self, _keys: frozenset[int]) -> None:
        present = set(self.model.keys())
        if any(key not in present for key in self._selected):
            self.select(key for key in self._selected if key in present)

    # --- committing ---------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self.undo_stack.setClean()

    def commit(self, text: str, after: State, *, merge: int = -1, keys: Iterable[int] = ()) -> bool:
        """Push the change from the current state to ``after`` as one undo step (nothing when
        it changes nothing)."""
        before = self.model.state
        if after == before and all(a is b for a, b in zip(after, before, strict=True)):
            return False
        self.undo_stack.push(
            StateCommand(self.model, text, before, tuple(after), merge, frozenset(keys))
        )
        return True

    def _map(self, keys: Iterable[int], change: Callable[[EditorHotspot], EditorHotspot]) -> State:
        chosen = set(keys)
        return tuple(change(item) if item.key in chosen else item for item in self.model.state)

    # --- creating and deleting ----------------------------------------------------------

    def add(self, hotspots: Sequence[Hotspot], text: str = "Add hotspot") -> list[int]:
        items = [self.model.new_hotspot(hotspot) for hotspot in hotspots]
        self.commit(text, self.model.state + tuple(items))
        keys = [item.key for item in items]
        self.select(keys)
        return keys

    def delete(self, keys: Iterable[int] | None = None) -> None:
        doomed = set(self._selected if keys is None else keys)
        if doomed:
            noun = "hotspot" if len(doomed) == 1 else "hotspots"
            self.commit(f"Delete {noun}", tuple(i for i in self.model.state if i.key not in doomed))

    def duplicate(self) -> list[int]:
        """Copies of the selection with all their data, a little down and right."""
        copies = []
        for item in self.selected_items():
            page = self.model.page(item.page)
            shown = display_rect(page, item.rect)
            moved = clamp_to_page(_offset(shown, DUPLICATE_OFFSET, DUPLICATE_OFFSET), page)
            copies.append(replace(item.hotspot, rect=user_rect(page, moved)))
        return self.add(copies, "Duplicate") if copies else []

    # --- geometry -----------------------------------------------------------------------

    def set_shown_rects(self, rects: dict[int, Rect], text: str) -> None:
        """Give hotspots new displayed rectangles (from a drag on the canvas)."""

        def change(item: EditorHotspot) -> EditorHotspot:
            return item.with_rect(user_rect(self.model.page(item.page), rects[item.key]))

        self.commit(text, self._map(rects, change))

    def nudge(self, dx: float, dy: float) -> None:
        """Move the selection by displayed points, kept on its pages; repeated nudges of the
        same hotspots are one undo step."""
        keys = self.selected
        if not keys:
            return
        rects = {}
        for item in self.selected_items():
            page = self.model.page(item.page)
            rects[item.key] = clamp_to_page(_offset(display_rect(page, item.rect), dx, dy), page)

        def change(item: EditorHotspot) -> EditorHotspot:
            return item.with_rect(user_rect(self.model.page(item.page), rects[item.key]))

        self.commit("Move", self._map(keys, change), merge=NUDGE_ID, keys=keys)

    def align(self, how: Align) -> None:
        """Line the selection up with its first-selected hotspot (each on its page)."""
        items = self.selected_items()
        if len(items) < 2:
            return
        anchor_item = self.model.get(self._selected[0]) or items[0]
        anchor = display_rect(self.model.page(anchor_item.page), anchor_item.rect)
        rects = {}
        for item in items:
            page = self.model.page(item.page)
            shown = display_rect(page, item.rect)
            dx = dy = 0.0
            if how is Align.LEFT:
                dx = anchor.x0 - shown.x0
            elif how is Align.RIGHT:
                dx = anchor.x1 - shown.x1
            elif how is Align.CENTRE:
                dx = (anchor.x0 + anchor.x1 - shown.x0 - shown.x1) / 2
            elif how is Align.TOP:
                dy = anchor.y0 - shown.y0
            elif how is Align.BOTTOM:
                dy = anchor.y1 - shown.y1
            else:
                dy = (anchor.y0 + anchor.y1 - shown.y0 - shown.y1) / 2
            rects[item.key] = clamp_to_page(_offset(shown, dx, dy), page)
        self.set_shown_rects(rects, f"Align {how.value}")

    def distribute(self, horizontal: bool) -> None:
        """Even gaps between three or more selected hotspots, from the outermost two."""
        items = self.selected_items()
        if len(items) < 3:
            return
        shown = {i.key: display_rect(self.model.page(i.page), i.rect) for i in items}
        ordered = sorted(items, key=lambda i: shown[i.key].x0 if horizontal else shown[i.key].y0)
        first, last = shown[ordered[0].key], shown[ordered[-1].key]
        sizes = [shown[i.key].width if horizontal else shown[i.key].height for i in ordered]
        span = (last.x1 - first.x0) if horizontal else (last.y1 - first.y0)
        gap = (span - sum(sizes)) / (len(ordered) - 1)
        position = first.x0 if horizontal else first.y0
        rects = {}
        for item, size in zip(ordered, sizes, strict=True):
            rect = shown[item.key]
            if horizontal:
                rects[item.key] = Rect(position, rect.y0, position + size, rect.y1)
            else:
                rects[item.key] = Rect(rect.x0, position, rect.x1, position + size)
            position += size + gap
        self.set_shown_rects(rects, "Distribute")

    # --- z-order ------------------------------------------------------------------------

    def bring_to_front(self) -> None:
        chosen = set(self._selected)
        rest = tuple(i for i in self.model.state if i.key not in chosen)
        self.commit("Bring to front", rest + tuple(self.selected_items()))

    def send_to_back(self) -> None:
        chosen = set(self._selected)
        rest = tuple(i for i in self.model.state if i.key not in chosen)
        self.commit("Send to back", tuple(self.selected_items()) + rest)

    # --- properties ---------------------------------------------------------------------

    def set_properties(self, key: int, properties: dict[str, Any], text: str = "Edit") -> None:
        self.commit(text, self._map([key], lambda item: item.with_properties(properties)))

    def set_type(self, key: int, kind: HotspotType, properties: dict[str, Any]) -> None:
        def change(item: EditorHotspot) -> EditorHotspot:
            return item.with_hotspot(replace(item.hotspot, type=kind, properties=properties))

        self.commit("Change type", self._map([key], change))

    def replace_all(self, hotspots: Sequence[Hotspot], text: str) -> None:
        items = tuple(self.model.new_hotspot(h) for h in hotspots)
        self.commit(text, items)
        self.select([])

    def replace_page(
        self,
        number: int,
        page: EditorPage,
        source: tuple[Path, int],
        hotspots: Sequence[Hotspot],
        replacements: dict[int, tuple[Path, int]],
        show_source: Callable[[int, tuple[Path, int] | None], None],
    ) -> None:
        """Show another file's page as page ``number`` with ``hotspots`` on it, as one undo
        step; ``replacements`` (the window's record of replaced pages) and
        ``show_source(number, source or None)`` (what draws the page) follow undo and redo."""
        kept = tuple(i for i in self.model.state if i.page != number)
        after = kept + tuple(self.model.new_hotspot(h) for h in hotspots)
        self.undo_stack.push(
            ReplacePageCommand(self.model, number, page, source, after, replacements, show_source)
        )

    # --- server ids ---------------------------------------------------------------------

    def set_server_ids(self, ids: dict[int, int]) -> None:
        """Give hotspots (by key) the ids the library gave them, in every undo step too."""
        self._rewrite(
            lambda item: replace(item, server_id=ids[item.key]) if item.key in ids else item
        )

    def swap_server_ids(self, swaps: dict[int, int]) -> None:
        """Temporary ids the server replaced with its own (after a sync)."""
        self._rewrite(
            lambda item: (
                replace(item, server_id=swaps[item.server_id]) if item.server_id in swaps else item
            )
        )

    def _rewrite(self, change: Callable[[EditorHotspot], EditorHotspot]) -> None:
        # Not an edit: the undo history is rewritten with the state, so undoing past a save
        # still refers to the same hotspots on the server.
        for index in range(self.undo_stack.count()):
            command = self.undo_stack.command(index)
            if isinstance(command, StateCommand | ReplacePageCommand):
                command.before = tuple(change(i) for i in command.before)
                command.after = tuple(change(i) for i in command.after)
        self.model.apply(tuple(change(i) for i in self.model.state))

    # --- clipboard ----------------------------------------------------------------------

    def copy(self) -> int:
        items = self.selected_items()
        if not items:
            return 0
        self._clipboard = [hotspot_to_json(i, self.model.page(i.page)) for i in items]
        # Plain text on the system clipboard (another editor window can paste it); a
        # QMimeData handed to the clipboard from Python crashes at exit in PySide6.
        QGuiApplication.clipboard().setText(json.dumps({CLIPBOARD_KEY: self._clipboard}))
        return len(items)

    def paste(self, page_number: int) -> list[int]:
        """The copied hotspots onto ``page_number`` at the same displayed place (offset when
        pasted onto the page they came from), kept within the page."""
        entries = self._clipboard_entries()
        if not entries:
            return []
        page = self.model.page(page_number)
        pasted = []
        for entry in entries:
            shown = Rect(*entry["rect"])
            if entry["page"] == page_number:
                shown = _offset(shown, PASTE_OFFSET, PASTE_OFFSET)
            shown = clamp_to_page(shown, page)
            pasted.append(
                Hotspot(
                    HotspotType(entry["type"]),
                    page_number,
                    user_rect(page, shown),
                    dict(entry["properties"]),
                )
            )
        return self.add(pasted, "Paste")

    def _clipboard_entries(self) -> list[dict[str, Any]]:
        text = QGuiApplication.clipboard().text()
        if CLIPBOARD_KEY in text:
            try:
                entries = json.loads(text)[CLIPBOARD_KEY]
                if isinstance(entries, list):
                    return [e for e in entries if isinstance(e, dict) and _is_entry(e)]
            except (ValueError, TypeError, KeyError):
                pass
        return list(self._clipboard)


def _is_entry(entry: dict[str, Any]) -> bool:
    """A copied hotspot as ``hotspot_to_json`` writes it (the clipboard is anyone's)."""
    rect = entry.get("rect")
    return (
        entry.get("type") in {t.value for t in HotspotType}
        and isinstance(entry.get("page"), int)
        and isinstance(rect, list)
        and len(rect) == 4
        and all(isinstance(v, int | float) for v in rect)
        and isinstance(entry.get("properties"), dict)
    )
