"""The hotspot editor's problem list: what it reports, how it follows edits, where it leads."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.core.geometry import PageBox, Rect
from app.core.hotspots import Hotspot, HotspotType
from app.ui.editor.editing import HotspotEditor
from app.ui.editor.lint_panel import LintPanel
from app.ui.editor.model import EditorHotspot, EditorPage, HotspotModel

PAGE = PageBox(Rect(0, 0, 600, 800))
OFF_PAGE, UNDER, OVER, EMPTY_LINK, NO_SKU, REFERENCE = 1, 2, 3, 4, 5, 6


def product(key: int, page: int, rect: Rect, *skus: str) -> EditorHotspot:
    properties = {"skus": list(skus), "icon": True, "dynamic": True}
    return EditorHotspot(key, Hotspot(HotspotType.PRODUCT, page, rect, properties))


@pytest.fixture
def editor() -> HotspotEditor:
    link = {"url": "", "popup": False, "max_width": None, "max_height": None}
    model = HotspotModel(
        [EditorPage(1, PAGE), EditorPage(2, PAGE)],
        [
            product(OFF_PAGE, 1, Rect(650, 10, 700, 60), "SHOE-1"),
            product(UNDER, 1, Rect(10, 10, 110, 110), "SHOE-1"),
            product(OVER, 1, Rect(30, 10, 130, 110), "GONE-3"),
            EditorHotspot(
                EMPTY_LINK, Hotspot(HotspotType.EXTERNAL_LINK, 2, Rect(10, 10, 110, 60), link)
            ),
        ],
    )
    return HotspotEditor(model)


@pytest.fixture
def panel(qtbot: Any, editor: HotspotEditor) -> LintPanel:
    widget = LintPanel(editor)
    qtbot.addWidget(widget)
    widget.set_catalogue({"SHOE-1": "Red running shoe"})
    widget.resize(340, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def rows(panel: LintPanel) -> list[str]:
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def codes(panel: LintPanel) -> list[str]:
    return [finding.code for finding in panel.findings()]


def test_each_finding_is_a_row_with_its_page_under_a_count(panel: LintPanel) -> None:
    assert codes(panel) == ["outside_page", "unknown_sku", "overlap", "invalid_url"]
    texts = rows(panel)
    assert texts[0].startswith("p. 1") and "outside the visible page" in texts[0]
    assert "GONE-3" in texts[1]
    assert "overlap" in texts[2]
    assert texts[3].startswith("p. 2") and "there is no address" in texts[3]
    assert panel.header.text() == "4 problems, 1 stops saving"


def test_an_empty_address_stops_saving_and_the_rest_do_not(
    panel: LintPanel, editor: HotspotEditor
) -> None:
    [blocking] = panel.blocking()
    assert blocking.code == "invalid_url"
    assert panel.key_of(blocking) == EMPTY_LINK


def test_hotspots_that_cannot_be_saved_are_reported_as_blocking(
    panel: LintPanel, editor: HotspotEditor
) -> None:
    editor.add(
        [
            Hotspot(HotspotType.PRODUCT, 2, Rect(200, 200, 300, 300), {"skus": []}),
            Hotspot(HotspotType.PAGE_REFERENCE, 2, Rect(400, 400, 500, 500), {"page": None}),
            Hotspot(HotspotType.PAGE_REFERENCE, 2, Rect(400, 10, 500, 100), {"page": 7}),
            Hotspot(HotspotType.IMAGE, 2, Rect(10, 600, 10.2, 700), {"source": "https://a/b.png"}),
        ]
    )
    blocking = panel.blocking()
    assert [f.code for f in blocking] == [
        "invalid_url",
        "missing_value",
        "missing_value",
        "page_out_of_range",
        "zero_size",
    ]
    assert "has no SKU yet" in blocking[1].message
    assert panel.header.text() == "8 problems, 5 stop saving"


def test_without_a_catalogue_skus_are_not_checked(panel: LintPanel) -> None:
    panel.set_catalogue(None)
    assert "unknown_sku" not in codes(panel)


def test_the_list_follows_an_edit_once_the_editing_pauses(
    qtbot: Any, panel: LintPanel, editor: HotspotEditor
) -> None:
    editor.set_properties(EMPTY_LINK, {"url": "https://example.com", "popup": False})
    assert len(rows(panel)) == 4  # checked again a moment later, not on every change
    qtbot.waitUntil(lambda: len(rows(panel)) == 3)
    assert panel.header.text() == "3 problems"
    assert panel.blocking() == []


def test_findings_are_current_even_before_the_pause(
    panel: LintPanel, editor: HotspotEditor
) -> None:
    editor.delete([OFF_PAGE])
    assert codes(panel) == ["unknown_sku", "overlap", "invalid_url"]


def test_no_findings_say_so(panel: LintPanel, editor: HotspotEditor) -> None:
    editor.delete([OFF_PAGE, OVER, EMPTY_LINK])
    panel.refresh()
    assert panel.header.text() == "No problems found"
    assert not panel.list.isVisible()


def test_clicking_a_finding_selects_its_hotspot_and_asks_to_show_it(
    qtbot: Any, panel: LintPanel, editor: HotspotEditor
) -> None:
    item = panel.list.item(2)  # the overlap, found on the later hotspot
    rect = panel.list.visualItemRect(item)
    with qtbot.waitSignal(panel.jump_requested) as jumped:
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert jumped.args == [OVER]
    assert editor.selected == [OVER]


def test_enter_on_a_finding_selects_its_hotspot(
    qtbot: Any, panel: LintPanel, editor: HotspotEditor
) -> None:
    panel.list.setFocus()
    panel.list.setCurrentRow(3)
    with qtbot.waitSignal(panel.jump_requested) as jumped:
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert jumped.args == [EMPTY_LINK]
    assert editor.selected == [EMPTY_LINK]


def test_a_finding_about_a_deleted_hotspot_leads_nowhere(
    qtbot: Any, panel: LintPanel, editor: HotspotEditor
) -> None:
    rect = panel.list.visualItemRect(panel.list.item(0))
    editor.delete([OFF_PAGE])  # the list still shows it for a moment
    with qtbot.assertNotEmitted(panel.jump_requested):
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.selected == []


def test_each_check_is_announced_with_the_flagged_hotspots(
    qtbot: Any, panel: LintPanel, editor: HotspotEditor
) -> None:
    assert panel.flagged_keys() == {OFF_PAGE, OVER, EMPTY_LINK}
    with qtbot.waitSignal(panel.refreshed):
        editor.delete([OFF_PAGE])
    assert panel.flagged_keys() == {OVER, EMPTY_LINK}


def test_the_row_picked_stays_picked_when_the_list_is_checked_again(
    qtbot: Any, panel: LintPanel, editor: HotspotEditor
) -> None:
    rect = panel.list.visualItemRect(panel.list.item(3))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor.delete([OFF_PAGE])
    panel.refresh()
    current = panel.list.currentItem()
    assert current is not None and "no address" in current.text()
