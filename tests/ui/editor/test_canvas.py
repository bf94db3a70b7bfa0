"""The canvas driven with the mouse and keyboard: drawing, moving, resizing, snapping,
nudging, selecting and zooming, checked in the model's PDF user space."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from app.core.geometry import Rect
from app.core.hotspots import HotspotType
from app.ui.editor.editor_window import EditorWindow
from app.ui.editor.model import display_rect
from tests.sample_pdfs import PageSpec, build_pdf
from tests.ui.editor.editor_driver import (
    click,
    drag,
    open_editor,
    page_point,
    shown_rect,
    view_point,
)

ALT = Qt.KeyboardModifier.AltModifier  # no snapping: exact places


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(
        build_pdf(
            [
                PageSpec(text="Plain page", links=[((100, 600, 250, 650), "https://example.com")]),
                PageSpec(rotation=90, text="Turned page"),
                PageSpec(crop=(40, 60, 540, 760), text="Cropped page"),
            ]
        )
    )
    return path


@pytest.fixture
def window(pdf: Path, qtbot: Any) -> EditorWindow:
    return open_editor(pdf, qtbot)


def expected(window: EditorWindow, page: int, a: QPoint, b: QPoint) -> Rect:
    pa, pb = page_point(window.canvas, page, a), page_point(window.canvas, page, b)
    return Rect.spanning(pa.x(), pa.y(), pb.x(), pb.y())


@pytest.mark.parametrize("page", [1, 2, 3])
def test_a_drag_with_the_product_tool_draws_a_hotspot_exactly_there(
    window: EditorWindow, page: int
) -> None:
    canvas = window.canvas
    canvas.scroll_to_page(page)
    canvas.set_tool(HotspotType.PRODUCT)
    start, end = view_point(canvas, page, 120, 150), view_point(canvas, page, 260, 230)
    drag(canvas, start, end, ALT)
    [item] = [i for i in window.model.state if i.type is HotspotType.PRODUCT]
    assert item.page == page
    assert display_rect(window.model.page(page), item.rect).is_close(
        expected(window, page, start, end), 1e-6
    )
    assert item.properties == {"skus": [], "icon": True, "dynamic": True}
    assert window.editor.selected == [item.key]
    assert canvas.tool is None  # back to selecting, for the property panel
    window.editor.undo_stack.undo()
    assert all(i.type is not HotspotType.PRODUCT for i in window.model.state)


def test_a_click_with_a_tool_makes_a_default_sized_hotspot(window: EditorWindow) -> None:
    canvas = window.canvas
    canvas.set_tool(HotspotType.EXTERNAL_LINK)
    click(canvas, view_point(canvas, 1, 300, 300))
    item = window.model.state[-1]
    assert item.type is HotspotType.EXTERNAL_LINK
    rect = shown_rect(window, item.key)
    assert (round(rect.width), round(rect.height)) == (96, 48)


def test_dragging_a_hotspot_moves_it_by_the_drag_and_undo_puts_it_back(
    window: EditorWindow,
) -> None:
    canvas = window.canvas
    key = window.model.state[0].key
    before = shown_rect(window, key)
    start = view_point(canvas, 1, before.x0 + 20, before.y0 + 20)
    end = start + QPoint(80, 40)
    drag(canvas, start, end, ALT)
    moved = page_point(canvas, 1, end) - page_point(canvas, 1, start)
    after = shown_rect(window, key)
    assert after.x0 == pytest.approx(before.x0 + moved.x(), abs=1e-6)
    assert after.y0 == pytest.approx(before.y0 + moved.y(), abs=1e-6)
    assert after.width == pytest.approx(before.width)
    window.editor.undo_stack.undo()
    assert shown_rect(window, key).is_close(before, 1e-9)


def test_dragging_a_corner_handle_resizes_from_that_corner(window: EditorWindow) -> None:
    canvas = window.canvas
    key = window.model.state[0].key
    click(canvas, view_point(canvas, 1, *_centre(shown_rect(window, key))))
    before = shown_rect(window, key)
    start = view_point(canvas, 1, before.x1, before.y1)
    end = start + QPoint(60, 30)
    drag(canvas, start, end, ALT)
    after = shown_rect(window, key)
    target = page_point(canvas, 1, end)
    assert (after.x0, after.y0) == pytest.approx((before.x0, before.y0))
    assert (after.x1, after.y1) == pytest.approx((target.x(), target.y()), abs=1e-6)


def test_a_move_near_the_page_edge_snaps_onto_it_unless_alt_is_held(window: EditorWindow) -> None:
    canvas = window.canvas
    key = window.model.state[0].key
    before = shown_rect(window, key)
    # Bring the left edge to within 2 screen pixels of the page's left edge.
    gap_pixels = (before.x0 * canvas.zoom) - 2
    start = view_point(canvas, 1, before.x0 + 10, before.y0 + 10)
    drag(canvas, start, start - QPoint(round(gap_pixels), 0))
    assert shown_rect(window, key).x0 == pytest.approx(0.0)


def test_arrow_keys_nudge_by_one_point_and_shift_by_ten(window: EditorWindow, qtbot: Any) -> None:
    canvas = window.canvas
    key = window.model.state[0].key
    window.editor.select([key])
    before = shown_rect(window, key)
    canvas.setFocus()
    for _ in range(3):
        qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    after = shown_rect(window, key)
    assert (after.x0 - before.x0, after.y0 - before.y0) == pytest.approx((3.0, 10.0))
    assert window.editor.undo_stack.count() == 1  # the nudges are one step


def test_shift_click_adds_to_the_selection_and_a_band_selects_what_it_touches(
    window: EditorWindow,
) -> None:
    canvas = window.canvas
    canvas.set_tool(HotspotType.PRODUCT)
    drag(canvas, view_point(canvas, 1, 350, 300), view_point(canvas, 1, 450, 350), ALT)
    first, second = (item.key for item in window.model.state)
    click(canvas, view_point(canvas, 1, *_centre(shown_rect(window, first))))
    assert window.editor.selected == [first]
    click(
        canvas,
        view_point(canvas, 1, *_centre(shown_rect(window, second))),
        Qt.KeyboardModifier.ShiftModifier,
    )
    assert set(window.editor.selected) == {first, second}
    click(canvas, view_point(canvas, 1, 580, 780))  # empty paper: nothing selected
    assert window.editor.selected == []
    drag(canvas, view_point(canvas, 1, 20, 20), view_point(canvas, 1, 500, 400))
    assert set(window.editor.selected) == {first, second}


def test_ctrl_wheel_zooms_and_the_zoom_stays_between_25_and_800_percent(
    window: EditorWindow,
) -> None:
    canvas = window.canvas
    start = canvas.zoom
    _wheel(canvas, 120, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom == pytest.approx(start * 1.15)
    for _ in range(60):
        _wheel(canvas, 120, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom == pytest.approx(8.0)
    for _ in range(80):
        _wheel(canvas, -120, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom == pytest.approx(0.25)
    canvas.fit_width()
    widest = max(page.size[0] for page in window.model.pages)
    assert canvas.zoom * widest <= canvas.viewport().width()


def test_at_800_percent_the_part_in_view_is_drawn_sharp_and_in_its_place(
    window: EditorWindow, qtbot: Any
) -> None:
    canvas = window.canvas
    canvas.set_zoom(8.0)
    # Every test page has a red square whose top-left corner is at (40, 100) pt.
    corner = canvas.page_item(1).mapToScene(QPointF(40, 100))
    canvas.centerOn(corner)
    scale = canvas.zoom * canvas.devicePixelRatioF()

    def tile_drawn() -> bool:
        canvas.viewport().repaint()
        return (
            window.images.busy == 0 and window.images.tile(1, scale, (35, 95, 45, 105)) is not None
        )

    qtbot.waitUntil(tile_drawn, timeout=10_000)
    picture = canvas.viewport().grab().toImage()

    def colour(x: float, y: float) -> tuple[int, int, int]:
        pixel = view_point(canvas, 1, x, y) * canvas.devicePixelRatioF()
        c = picture.pixelColor(pixel.x(), pixel.y())
        return c.red(), c.green(), c.blue()

    # The square's border is a 1 pt line on its edge: red half a point inside and out,
    # white a point beyond, so the sharp tile sits exactly where the page is.
    for x, y in [(41.0, 101.0), (39.7, 101.0), (41.0, 99.7)]:
        red, green, _ = colour(x, y)
        assert red > 180 and green < 60, (x, y)
    for x, y in [(38.8, 101.0), (41.0, 98.8), (38.8, 98.8)]:
        assert min(colour(x, y)) > 230, (x, y)


def test_spreads_put_facing_pages_side_by_side(window: EditorWindow) -> None:
    canvas = window.canvas
    canvas.set_spreads(True)
    two, three = canvas.page_item(2), canvas.page_item(3)
    assert two.scenePos().x() + two.page.size[0] == pytest.approx(three.scenePos().x())
    canvas.set_spreads(False)
    assert canvas.page_item(3).scenePos().y() > canvas.page_item(2).scenePos().y()


def _centre(rect: Rect) -> tuple[float, float]:
    return (rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2


def _wheel(canvas: Any, delta: int, modifiers: Qt.KeyboardModifier) -> None:
    position = QPointF(canvas.viewport().rect().center())
    event = QWheelEvent(
        position,
        QPointF(canvas.viewport().mapToGlobal(position.toPoint())),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), event)


def test_an_undo_in_the_middle_of_a_drag_ends_the_drag(window: EditorWindow) -> None:
    canvas = window.canvas
    canvas.set_tool(HotspotType.PRODUCT)
    drag(canvas, view_point(canvas, 1, 300, 300), view_point(canvas, 1, 400, 360), ALT)
    key = window.model.state[-1].key
    rect = shown_rect(window, key)
    start = view_point(canvas, 1, rect.x0 + 5, rect.y0 + 5)
    left = Qt.MouseButton.LeftButton
    from tests.ui.editor.editor_driver import _send

    _send(canvas, QMouseEvent.Type.MouseButtonPress, start, left, left, ALT)
    _send(
        canvas,
        QMouseEvent.Type.MouseMove,
        start + QPoint(30, 0),
        Qt.MouseButton.NoButton,
        left,
        ALT,
    )
    window.editor.undo_stack.undo()  # Ctrl+Z with the button held: the hotspot goes
    _send(
        canvas,
        QMouseEvent.Type.MouseMove,
        start + QPoint(60, 0),
        Qt.MouseButton.NoButton,
        left,
        ALT,
    )
    _send(
        canvas,
        QMouseEvent.Type.MouseButtonRelease,
        start + QPoint(60, 0),
        left,
        Qt.MouseButton.NoButton,
        ALT,
    )
    assert window.model.get(key) is None
    assert window.editor.undo_stack.count() == 1  # no move was recorded
