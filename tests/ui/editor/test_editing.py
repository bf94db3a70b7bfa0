"""Editing operations on the model, each one undo step: add, delete, nudge (merged), align,
distribute, z-order, duplicate, copy and paste across pages, on rotated and cropped pages."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from app.core.geometry import PageBox, Rect
from app.core.hotspots import Hotspot, HotspotType
from app.ui.editor.editing import Align, HotspotEditor, blank_properties
from app.ui.editor.model import EditorPage, HotspotModel, display_rect

PAGES = [
    EditorPage(1, PageBox(Rect(0, 0, 600, 800))),
    EditorPage(2, PageBox(Rect(0, 0, 600, 800), 90)),
    EditorPage(3, PageBox(Rect(50, 100, 450, 700))),
]


def link(page: int, rect: Rect, url: str = "https://example.com") -> Hotspot:
    return Hotspot(HotspotType.EXTERNAL_LINK, page, rect, {"url": url, "popup": False})


@pytest.fixture
def editor(qtbot: Any) -> HotspotEditor:
    return HotspotEditor(HotspotModel(PAGES))


def shown(editor: HotspotEditor, key: int) -> Rect:
    item = editor.model.get(key)
    assert item is not None
    return display_rect(editor.model.page(item.page), item.rect)


def test_adding_selects_the_new_hotspot_and_undo_removes_it(editor: HotspotEditor) -> None:
    [key] = editor.add([link(1, Rect(10, 10, 110, 60))])
    assert editor.selected == [key]
    editor.undo_stack.undo()
    assert editor.model.state == ()
    assert editor.selected == []
    editor.undo_stack.redo()
    assert editor.model.get(key) is not None


def test_twenty_nudges_are_one_undo_step_and_move_right_on_screen_on_a_rotated_page(
    editor: HotspotEditor,
) -> None:
    [key] = editor.add([link(2, Rect(100, 100, 200, 150))])
    before = shown(editor, key)
    for _ in range(20):
        editor.nudge(1.0, 0.0)
    after = shown(editor, key)
    assert after.x0 == pytest.approx(before.x0 + 20)
    assert after.y0 == pytest.approx(before.y0)
    assert editor.undo_stack.count() == 2  # the add and the merged nudges
    editor.undo_stack.undo()
    assert shown(editor, key) == before


def test_nudging_stops_at_the_page_edge(editor: HotspotEditor) -> None:
    [key] = editor.add([link(3, Rect(60, 600, 100, 650))])  # near the crop's left edge
    editor.nudge(-50.0, 0.0)
    assert shown(editor, key).x0 == pytest.approx(0.0)
    assert editor.model.get(key).rect.x0 == pytest.approx(50.0)  # type: ignore[union-attr]


def test_align_left_and_distribute_horizontally(editor: HotspotEditor) -> None:
    keys = editor.add(
        [
            link(1, Rect(100, 700, 150, 750)),
            link(1, Rect(130, 500, 160, 520)),
            link(1, Rect(400, 300, 480, 340)),
        ]
    )
    editor.select(keys)
    editor.align(Align.LEFT)
    assert {round(shown(editor, k).x0, 6) for k in keys} == {100.0}
    editor.undo_stack.undo()
    editor.distribute(horizontal=True)
    rects = sorted((shown(editor, k) for k in keys), key=lambda r: r.x0)
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(rects)]
    assert gaps[0] == pytest.approx(gaps[1])
    assert rects[0].x0 == pytest.approx(100) and rects[-1].x1 == pytest.approx(480)


def test_z_order_moves_the_selection_to_the_front_and_back(editor: HotspotEditor) -> None:
    a, b, c = (editor.add([link(1, Rect(10 * i, 10, 10 * i + 50, 60))])[0] for i in range(3))
    editor.select([a])
    editor.bring_to_front()
    assert editor.model.keys() == [b, c, a]
    editor.select([c])
    editor.send_to_back()
    assert editor.model.keys() == [c, b, a]


def test_duplicate_keeps_all_data_and_lands_beside_the_original(editor: HotspotEditor) -> None:
    product = Hotspot(
        HotspotType.PRODUCT,
        1,
        Rect(100, 100, 200, 150),
        {"skus": ["A-1", "B-2"], "icon": False, "dynamic": True},
    )
    [key] = editor.add([product])
    [copy] = editor.duplicate()
    assert copy != key
    duplicate = editor.model.get(copy)
    assert duplicate is not None
    assert duplicate.properties == product.properties
    assert shown(editor, copy).x0 == pytest.approx(shown(editor, key).x0 + 10)


def test_copy_on_one_page_and_paste_on_a_rotated_page_keeps_the_displayed_place(
    editor: HotspotEditor,
) -> None:
    [key] = editor.add([link(1, Rect(100, 600, 180, 640))])
    place = shown(editor, key)
    assert editor.copy() == 1
    [pasted] = editor.paste(2)
    item = editor.model.get(pasted)
    assert item is not None and item.page == 2
    assert shown(editor, pasted).is_close(place, 1e-9)
    assert item.properties["url"] == "https://example.com"


def test_delete_then_undo_restores_the_hotspot_in_its_z_position(editor: HotspotEditor) -> None:
    keys = [editor.add([link(1, Rect(10 * i, 10, 10 * i + 50, 60))])[0] for i in range(3)]
    editor.select([keys[1]])
    editor.delete()
    assert editor.model.keys() == [keys[0], keys[2]]
    editor.undo_stack.undo()
    assert editor.model.keys() == keys


def test_a_new_hotspot_starts_with_its_types_defaults_and_empty_required_fields() -> None:
    assert blank_properties(HotspotType.PRODUCT) == {"skus": [], "icon": True, "dynamic": True}
    assert blank_properties(HotspotType.EXTERNAL_LINK)["url"] == ""
    assert blank_properties(HotspotType.PAGE_REFERENCE) == {"page": None}


def test_dirty_follows_the_undo_stack(editor: HotspotEditor) -> None:
    assert not editor.dirty
    editor.add([link(1, Rect(10, 10, 50, 50))])
    assert editor.dirty
    editor.mark_saved()
    assert not editor.dirty
    editor.undo_stack.undo()
    assert editor.dirty
