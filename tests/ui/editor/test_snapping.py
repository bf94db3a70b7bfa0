"""Snapping geometry: an edge within the tolerance of a guide jumps onto it; farther ones stay."""

from __future__ import annotations

import pytest

from app.core.geometry import Rect
from app.ui.editor.snapping import page_guides, snap_edges, snap_move

GUIDES = page_guides((600.0, 800.0), [Rect(100, 100, 200, 150)])


def test_a_move_snaps_the_nearest_edge_onto_a_page_edge() -> None:
    assert snap_move(Rect(3, 300, 53, 340), GUIDES, 5.0) == Rect(0, 300, 50, 340)


def test_a_move_snaps_onto_another_hotspots_edge_and_the_page_centre() -> None:
    moved = snap_move(Rect(202, 402, 252, 442), GUIDES, 5.0)
    assert moved.x0 == pytest.approx(200.0)  # the other hotspot's right edge
    assert (moved.y0 + moved.y1) / 2 == pytest.approx(420.0)  # nearest: y0 402 -> 400 is 2
    assert moved.y0 == pytest.approx(400.0)  # the page's centre line


def test_nothing_within_the_tolerance_leaves_the_rectangle_alone() -> None:
    rect = Rect(250, 250, 280, 280)
    assert snap_move(rect, GUIDES, 5.0) == rect


def test_a_resize_snaps_only_the_moving_edges() -> None:
    resized = snap_edges(Rect(10, 10, 597, 60), "e", GUIDES, 5.0)
    assert resized == Rect(10, 10, 600, 60)
    assert snap_edges(Rect(2, 10, 597, 60), "e", GUIDES, 5.0).x0 == 2
