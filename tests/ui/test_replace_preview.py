"""Replacing a page: the old page's hotspots land on the new page at the same place relative to
the displayed page, whatever its size, rotation or CropBox; the designer keeps, drops or drags
each one before replacing (real widgets, driven with the mouse)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog

from app.core.geometry import PageBox, Rect, page_fraction_to_user, user_to_page_fraction
from app.core.hotspots import Hotspot, HotspotType, external_link, page_reference
from app.ui.editor.replace_preview import HotspotBox, ReplacePagePreview

PAGE = 4
LETTER = PageBox(Rect(0, 0, 612, 792))
A4 = PageBox(Rect(0, 0, 595, 842))
TURNED = PageBox(Rect(0, 0, 600, 800), 90)  # shown as 800 x 600
CROPPED = PageBox(Rect(20, 30, 420, 530))  # shown as 400 x 500, user space offset


def _image(box: PageBox, colour: str, pixels_per_point: float) -> QImage:
    width, height = box.display_size
    image = QImage(
        round(width * pixels_per_point),
        round(height * pixels_per_point),
        QImage.Format.Format_RGB32,
    )
    image.fill(QColor(colour))
    return image


def _hotspots(box: PageBox) -> list[Hotspot]:
    """A product in the top-right corner, a link in the middle, a page reference lower left:
    placed by fractions of the displayed page, so they sit alike on any page."""

    def at(x0: float, y0: float, x1: float, y1: float) -> Rect:
        return page_fraction_to_user(Rect(x0, y0, x1, y1), box)

    product = Hotspot(
        HotspotType.PRODUCT,
        PAGE,
        at(0.7, 0.0, 1.0, 0.2),
        {"skus": ["AB-1"], "icon": True, "dynamic": True},
    )
    return [
        product,
        external_link(PAGE, at(0.3, 0.4, 0.6, 0.55), "https://shop.example/spring"),
        page_reference(PAGE, at(0.05, 0.7, 0.4, 0.9), 12),
    ]


def _open(
    qtbot: Any, old_box: PageBox, new_box: PageBox, hotspots: list[Hotspot]
) -> ReplacePagePreview:
    dialog = ReplacePagePreview(
        PAGE,
        _image(old_box, "#90a4ae", 1.0),
        _image(new_box, "#ffccbc", 2.0),
        old_box,
        new_box,
        hotspots,
        "spring-v2.pdf",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _replace(qtbot: Any, dialog: ReplacePagePreview) -> list[Hotspot]:
    qtbot.mouseClick(dialog.replace_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    return dialog.kept_hotspots()


def _landed(hotspot: Hotspot, old_box: PageBox, new_box: PageBox) -> Rect:
    return page_fraction_to_user(user_to_page_fraction(hotspot.rect, old_box), new_box)


def _displayed(rect: Rect, box: PageBox) -> Rect:
    ax, ay = box.to_display(rect.x0, rect.y0)
    bx, by = box.to_display(rect.x1, rect.y1)
    return Rect.spanning(ax, ay, bx, by)


def _on_screen(dialog: ReplacePagePreview, box: HotspotBox) -> QPoint:
    """Where the middle of a hotspot on the new page is, in the right view's pixels."""
    view = dialog.new_view
    shown = box.shown()
    middle = QPointF((shown.x0 + shown.x1) / 2, (shown.y0 + shown.y1) / 2)
    return view.mapFromScene(middle)


def _drag(qtbot: Any, dialog: ReplacePagePreview, box: HotspotBox, dx: int, dy: int) -> None:
    viewport = dialog.new_view.viewport()
    start = _on_screen(dialog, box)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        point = start + QPoint(dx * step // 5, dy * step // 5)
        qtbot.mouseMove(viewport, pos=point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(dx, dy))


@pytest.mark.parametrize(
    ("old_box", "new_box"),
    [(LETTER, A4), (LETTER, TURNED), (CROPPED, LETTER), (TURNED, CROPPED)],
    ids=["letter-to-a4", "letter-to-turned", "cropped-to-letter", "turned-to-cropped"],
)
def test_replacing_keeps_every_hotspot_at_the_same_place_relative_to_the_new_page(
    qtbot: Any, old_box: PageBox, new_box: PageBox
) -> None:
    old = _hotspots(old_box)
    dialog = _open(qtbot, old_box, new_box, old)

    kept = _replace(qtbot, dialog)

    assert [(h.type, h.page, h.properties) for h in kept] == [
        (h.type, PAGE, h.properties) for h in old
    ]
    for found, before in zip(kept, old, strict=True):
        assert found.rect.is_close(_landed(before, old_box, new_box), 1e-6)


def test_a_hotspot_in_the_top_right_corner_stays_there_on_a_turned_page(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, TURNED, _hotspots(LETTER)[:1])

    (product,) = _replace(qtbot, dialog)

    shown = _displayed(product.rect, TURNED)
    assert shown.is_close(Rect(0.7 * 800, 0, 800, 0.2 * 600), 1e-6)


def test_unticking_a_hotspot_drops_it(qtbot: Any) -> None:
    old = _hotspots(LETTER)
    dialog = _open(qtbot, LETTER, A4, old)

    qtbot.mouseClick(dialog.keep_boxes[1], Qt.MouseButton.LeftButton)

    assert dialog.new_boxes[1].faded
    assert dialog.table.item(1, 3).text() == "Dropped"
    assert [h.properties for h in _replace(qtbot, dialog)] == [old[0].properties, old[2].properties]


def test_drop_all_then_ticking_one_keeps_only_that_one(qtbot: Any) -> None:
    old = _hotspots(LETTER)
    dialog = _open(qtbot, LETTER, A4, old)

    qtbot.mouseClick(dialog.drop_all_button, Qt.MouseButton.LeftButton)
    assert not any(check.isChecked() for check in dialog.keep_boxes)
    qtbot.mouseClick(dialog.keep_boxes[2], Qt.MouseButton.LeftButton)

    assert [h.type for h in _replace(qtbot, dialog)] == [HotspotType.PAGE_REFERENCE]


def test_keep_all_brings_dropped_hotspots_back(qtbot: Any) -> None:
    old = _hotspots(LETTER)
    dialog = _open(qtbot, LETTER, A4, old)
    qtbot.mouseClick(dialog.drop_all_button, Qt.MouseButton.LeftButton)

    qtbot.mouseClick(dialog.keep_all_button, Qt.MouseButton.LeftButton)

    assert len(_replace(qtbot, dialog)) == len(old)


@pytest.mark.parametrize("new_box", [A4, TURNED, CROPPED], ids=["a4", "turned", "cropped"])
def test_dragging_a_hotspot_moves_it_by_the_dragged_distance(qtbot: Any, new_box: PageBox) -> None:
    old = _hotspots(LETTER)
    dialog = _open(qtbot, LETTER, new_box, old)
    before = _displayed(_landed(old[1], LETTER, new_box), new_box)
    scale = dialog.new_view.transform().m11()  # pixels per point

    _drag(qtbot, dialog, dialog.new_boxes[1], 40, -30)

    assert dialog.table.item(1, 3).text() == "Moved by you"
    moved = _displayed(_replace(qtbot, dialog)[1].rect, new_box)
    dx, dy = 40 / scale, -30 / scale
    assert moved.is_close(Rect(before.x0 + dx, before.y0 + dy, before.x1 + dx, before.y1 + dy), 1)


def test_a_drag_stops_at_the_edge_of_the_new_page(qtbot: Any) -> None:
    old = _hotspots(LETTER)
    dialog = _open(qtbot, LETTER, A4, old)
    before = _displayed(_landed(old[1], LETTER, A4), A4)

    _drag(qtbot, dialog, dialog.new_boxes[1], 2000, 2000)

    moved = _displayed(_replace(qtbot, dialog)[1].rect, A4)
    width, height = A4.display_size
    assert moved.is_close(Rect(width - before.width, height - before.height, width, height), 1e-6)


def test_a_hotspot_larger_than_the_new_page_is_clamped_onto_it(qtbot: Any) -> None:
    # Sticking out of the old page on every side: it lands larger than the new page.
    huge = external_link(PAGE, Rect(-100, -50, 700, 900), "https://shop.example")
    dialog = _open(qtbot, LETTER, A4, [huge])

    assert dialog.table.item(0, 3).text() == "Moved to fit the page"
    (kept,) = _replace(qtbot, dialog)
    assert _displayed(kept.rect, A4).is_close(Rect(0, 0, *A4.display_size), 1e-6)


def test_a_hotspot_sticking_out_of_the_page_moves_inside_and_keeps_its_size(
    qtbot: Any,
) -> None:
    # Half off the old page's right edge, where the new page has room for all of it.
    overhanging = external_link(PAGE, Rect(560, 400, 660, 450), "https://shop.example")
    dialog = _open(qtbot, LETTER, A4, [overhanging])

    (kept,) = _replace(qtbot, dialog)

    landed = _displayed(_landed(overhanging, LETTER, A4), A4)
    shown = _displayed(kept.rect, A4)
    width, _ = A4.display_size
    assert shown.is_close(Rect(width - landed.width, landed.y0, width, landed.y1), 1e-6)


def test_selecting_a_row_highlights_the_hotspot_on_both_pages(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, A4, _hotspots(LETTER))
    cell = dialog.table.visualItemRect(dialog.table.item(2, 1)).center()

    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)

    assert [box.highlighted for box in dialog.old_boxes] == [False, False, True]
    assert [box.highlighted for box in dialog.new_boxes] == [False, False, True]


def test_clicking_a_hotspot_on_the_new_page_selects_its_row(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, A4, _hotspots(LETTER))
    box = dialog.new_boxes[1]

    qtbot.mouseClick(
        dialog.new_view.viewport(), Qt.MouseButton.LeftButton, pos=_on_screen(dialog, box)
    )

    assert [index.row() for index in dialog.table.selectionModel().selectedRows()] == [1]
    assert dialog.table.item(1, 3).text() == "Same place"  # a click is not a move


def test_a_page_without_hotspots_says_so_and_can_be_replaced(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, A4, [])

    assert dialog.empty.isVisible()
    assert not dialog.table.isVisible()
    assert _replace(qtbot, dialog) == []


def test_different_page_sizes_are_named(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, A4, _hotspots(LETTER))

    assert dialog.size_note.isVisible()
    assert "595 \N{MULTIPLICATION SIGN} 842 pt" in dialog.size_note.text()
    assert "612 \N{MULTIPLICATION SIGN} 792 pt" in dialog.size_note.text()


def test_pages_of_the_same_size_need_no_note(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, PageBox(Rect(10, 10, 622, 802)), _hotspots(LETTER))

    assert not dialog.size_note.isVisible()


def test_each_page_is_scaled_to_fit_its_half_of_the_dialog(qtbot: Any) -> None:
    dialog = _open(qtbot, LETTER, TURNED, _hotspots(LETTER))
    small = dialog.new_view.transform().m11()

    dialog.resize(1400, 900)
    qtbot.waitUntil(lambda: dialog.new_view.transform().m11() > small)

    for view, box in ((dialog.old_view, LETTER), (dialog.new_view, TURNED)):
        width, height = box.display_size
        page = view.mapFromScene(0, 0).x(), view.mapFromScene(width, height).x()
        assert 0 <= page[0] < page[1] <= view.viewport().width()
        bottom = view.mapFromScene(width, height).y()
        assert 0 <= view.mapFromScene(0, 0).y() < bottom <= view.viewport().height()
