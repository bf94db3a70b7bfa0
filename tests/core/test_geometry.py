"""Geometry round trips: user space <-> page fractions <-> spread fractions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.geometry import (
    PageBox,
    Rect,
    SpreadLayout,
    page_fraction_to_user,
    user_to_page_fraction,
)

TOLERANCE = 1e-6

coordinates = st.floats(min_value=-500, max_value=500, allow_nan=False)
sizes = st.floats(min_value=10, max_value=2000, allow_nan=False)


@st.composite
def page_boxes(draw: st.DrawFn) -> PageBox:
    x0, y0 = draw(coordinates), draw(coordinates)
    return PageBox(
        Rect(x0, y0, x0 + draw(sizes), y0 + draw(sizes)), draw(st.sampled_from([0, 90, 180, 270]))
    )


@st.composite
def rects_on(draw: st.DrawFn, box: PageBox) -> Rect:
    def inside(lo: float, hi: float) -> float:
        return draw(st.floats(min_value=lo, max_value=hi, allow_nan=False))

    c = box.crop
    return Rect.spanning(
        inside(c.x0, c.x1), inside(c.y0, c.y1), inside(c.x0, c.x1), inside(c.y0, c.y1)
    )


@given(st.data())
def test_user_space_round_trips_through_page_fractions(data: st.DataObject) -> None:
    box = data.draw(page_boxes())
    rect = data.draw(rects_on(box))
    fraction = user_to_page_fraction(rect, box)
    assert 0 - TOLERANCE <= fraction.x0 <= fraction.x1 <= 1 + TOLERANCE
    assert 0 - TOLERANCE <= fraction.y0 <= fraction.y1 <= 1 + TOLERANCE
    assert page_fraction_to_user(fraction, box).is_close(rect, TOLERANCE * 1000)


@given(st.data())
def test_page_fractions_round_trip_through_spreads(data: st.DataObject) -> None:
    boxes = data.draw(st.lists(page_boxes(), min_size=1, max_size=3))
    layout = SpreadLayout(boxes)
    index = data.draw(st.integers(min_value=0, max_value=len(boxes) - 1))
    a, b = data.draw(st.floats(0.01, 0.99)), data.draw(st.floats(0.01, 0.99))
    c, d = data.draw(st.floats(0.01, 0.99)), data.draw(st.floats(0.01, 0.99))
    fraction = Rect.spanning(a, c, b, d)
    spread = layout.page_to_spread(index, fraction)
    back_index, back = layout.spread_to_page(spread)
    assert back_index == index
    assert back.is_close(fraction, 1e-9)


def test_letter_page_top_left_corner() -> None:
    box = PageBox(Rect(0, 0, 612, 792))
    # A 100 x 50 box in the top-left corner of a portrait Letter page.
    fraction = user_to_page_fraction(Rect(0, 742, 100, 792), box)
    assert fraction.is_close(Rect(0, 0, 100 / 612, 50 / 792), 1e-12)


def test_rotation_90_turns_the_page_clockwise() -> None:
    box = PageBox(Rect(0, 0, 600, 800), rotation=90)
    assert box.display_size == (800, 600)
    # The unrotated top-left corner ends up at the displayed top-right.
    assert box.to_display(0, 800) == (800, 0)
    # The unrotated bottom-left corner ends up at the displayed top-left.
    assert box.to_display(0, 0) == (0, 0)


def test_cropbox_offset_is_honoured() -> None:
    box = PageBox(Rect(50, 100, 650, 900))
    assert user_to_page_fraction(Rect(50, 800, 350, 900), box).is_close(
        Rect(0, 0, 0.5, 0.125), 1e-12
    )


def test_spread_pages_sit_side_by_side() -> None:
    layout = SpreadLayout([PageBox(Rect(0, 0, 500, 700)), PageBox(Rect(0, 0, 500, 700))])
    right_half = layout.page_to_spread(1, Rect(0, 0, 1, 1))
    assert right_half == Rect(0.5, 0, 1, 1)


def test_bad_page_boxes_are_refused() -> None:
    with pytest.raises(ValueError):
        PageBox(Rect(0, 0, 100, 100), rotation=45)
    with pytest.raises(ValueError):
        PageBox(Rect(0, 0, 0, 100))
