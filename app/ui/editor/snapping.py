"""Snapping while dragging: an edge that comes within a few screen pixels of a page edge, the
page's centre line or another hotspot's edge jumps onto it. Pure geometry in displayed-page
points, so it is tested without a window."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.geometry import Rect


@dataclass(frozen=True)
class Guides:
    """Lines an edge may snap to, in displayed-page points."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]


def page_guides(size: tuple[float, float], others: Iterable[Rect]) -> Guides:
    width, height = size
    xs = [0.0, width / 2, width]
    ys = [0.0, height / 2, height]
    for rect in others:
        xs += [rect.x0, rect.x1]
        ys += [rect.y0, rect.y1]
    return Guides(tuple(xs), tuple(ys))


def _nearest(values: Sequence[float], lines: Sequence[float], tolerance: float) -> float | None:
    """The smallest shift (within ``tolerance``) that puts one of ``values`` on a line."""
    best: float | None = None
    for value in values:
        for line in lines:
            shift = line - value
            if abs(shift) <= tolerance and (best is None or abs(shift) < abs(best)):
                best = shift
    return best


def snap_move(rect: Rect, guides: Guides, tolerance: float) -> Rect:
    """``rect`` shifted so its nearest edge (or centre) sits on a guide, per axis."""
    dx = _nearest((rect.x0, rect.x1, (rect.x0 + rect.x1) / 2), guides.xs, tolerance) or 0.0
    dy = _nearest((rect.y0, rect.y1, (rect.y0 + rect.y1) / 2), guides.ys, tolerance) or 0.0
    return Rect(rect.x0 + dx, rect.y0 + dy, rect.x1 + dx, rect.y1 + dy)


def snap_edges(rect: Rect, edges: str, guides: Guides, tolerance: float) -> Rect:
    """``rect`` with the moving ``edges`` ("n", "se", ...; "nsew" while drawing) snapped."""
    x0, y0, x1, y1 = rect.x0, rect.y0, rect.x1, rect.y1

    def snapped(value: float, lines: Sequence[float]) -> float:
        shift = _nearest((value,), lines, tolerance)
        return value + shift if shift is not None else value

    if "w" in edges:
        x0 = snapped(x0, guides.xs)
    if "e" in edges:
        x1 = snapped(x1, guides.xs)
    if "n" in edges:
        y0 = snapped(y0, guides.ys)
    if "s" in edges:
        y1 = snapped(y1, guides.ys)
    return Rect.spanning(x0, y0, x1, y1)
