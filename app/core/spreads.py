"""How pages group into spreads: ``booklet`` (page 1 alone, then facing pairs, a trailing odd
page alone) or ``single`` (one page each)."""

from __future__ import annotations

from app.core.enums import LayoutType


def spread_page_groups(page_count: int, layout: LayoutType) -> list[list[int]]:
    """The 1-based page numbers of each spread, in reading order."""
    if page_count <= 0:
        return []
    if layout is LayoutType.SINGLE:
        return [[number] for number in range(1, page_count + 1)]
    groups = [[1]]
    for left in range(2, page_count + 1, 2):
        groups.append([left, left + 1] if left + 1 <= page_count else [left])
    return groups
