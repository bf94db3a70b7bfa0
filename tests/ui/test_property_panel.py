"""The hotspot editor's property panel, driven as a designer would: typing, Enter, clicks."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.core.geometry import PageBox, Rect
from app.core.hotspots import Hotspot, HotspotType
from app.ui.editor.editing import HotspotEditor
from app.ui.editor.media_forms import VideoForm
from app.ui.editor.model import EditorHotspot, EditorPage, HotspotModel
from app.ui.editor.property_forms import LinkForm, PageReferenceForm, ProductForm
from app.ui.editor.property_panel import ARRANGE_TEXT, NO_SELECTION_TEXT, PropertyPanel

PAGE = PageBox(Rect(0, 0, 600, 800))
LINK, PRODUCT, REFERENCE, VIDEO, IMAGE, SLIDESHOW = 1, 2, 3, 4, 5, 6
CATALOGUE = {"SHOE-1": "Red running shoe", "HAT-9": "Straw hat"}


def hotspot(
    key: int, kind: HotspotType, properties: dict[str, Any], page: int = 1
) -> EditorHotspot:
    return EditorHotspot(key, Hotspot(kind, page, Rect(10, 10, 130, 90), properties))


@pytest.fixture
def editor() -> HotspotEditor:
    pages = [
        EditorPage(1, PAGE),
        EditorPage(2, PageBox(Rect(0, 0, 600, 800), rotation=90)),
        EditorPage(3, PAGE),
    ]
    link = {"url": "https://example.com/a", "popup": False}  # as read from a PDF's /Link
    model = HotspotModel(
        pages,
        [
            hotspot(LINK, HotspotType.EXTERNAL_LINK, link),
            hotspot(
                PRODUCT, HotspotType.PRODUCT, {"skus": ["SHOE-1"], "icon": True, "dynamic": True}
            ),
            hotspot(REFERENCE, HotspotType.PAGE_REFERENCE, {"page": 3}, page=2),
            hotspot(VIDEO, HotspotType.VIDEO, {"source": "", "autoplay": False, "loop": False}),
            hotspot(IMAGE, HotspotType.IMAGE, {"source": "https://cdn.example.com/a.png"}),
            hotspot(SLIDESHOW, HotspotType.SLIDESHOW, {"images": ["https://a/1.png"]}),
        ],
    )
    return HotspotEditor(model)


@pytest.fixture
def panel(qtbot: Any, editor: HotspotEditor) -> PropertyPanel:
    widget = PropertyPanel(editor)
    qtbot.addWidget(widget)
    widget.resize(320, 600)
    with qtbot.waitActive(widget):  # typing needs the focus a user's window would have
        widget.show()
        widget.activateWindow()
    return widget


def properties(editor: HotspotEditor, key: int) -> dict[str, Any]:
    item = editor.model.get(key)
    assert item is not None
    return item.properties


def select(qtbot: Any, editor: HotspotEditor, key: int) -> None:
    editor.select([key])
    qtbot.wait(10)  # the form shown is laid out in the event loop, as for a user


def retype(qtbot: Any, line: QLineEdit, text: str) -> None:
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def link_form(panel: PropertyPanel) -> LinkForm:
    form = panel.form
    assert isinstance(form, LinkForm)
    return form


def test_without_a_selection_the_panel_says_how_to_start(panel: PropertyPanel) -> None:
    assert panel.stack.currentWidget() is panel.hint
    assert panel.hint.text() == NO_SELECTION_TEXT


def test_several_selected_hotspots_are_counted_and_arranging_is_pointed_to(
    panel: PropertyPanel, editor: HotspotEditor
) -> None:
    editor.select([LINK, PRODUCT, IMAGE])
    assert panel.stack.currentWidget() is panel.several
    assert panel.count_label.text() == "3 hotspots selected"
    assert "Arrange menu" in ARRANGE_TEXT


def test_page_and_size_are_shown_as_the_page_is_displayed(
    panel: PropertyPanel, editor: HotspotEditor
) -> None:
    editor.select([REFERENCE])  # 120 x 80 pt in user space on a page turned a quarter
    assert panel.stack.currentWidget() is panel.single
    assert panel.page_label.text() == "2 of 3"
    assert panel.size_label.text() == "80 x 120 pt"


def test_a_typed_address_is_committed_once_on_enter_and_undoes(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    url = link_form(panel).url
    retype(qtbot, url, "https://example.com/spring")
    assert properties(editor, LINK)["url"] == "https://example.com/a"  # not per keystroke

    qtbot.keyClick(url, Qt.Key.Key_Return)

    assert properties(editor, LINK)["url"] == "https://example.com/spring"
    assert editor.undo_stack.count() == 1
    assert editor.undo_stack.undoText() == "Edit link"
    editor.undo_stack.undo()
    assert properties(editor, LINK)["url"] == "https://example.com/a"
    assert url.text() == "https://example.com/a"


def test_leaving_a_field_unchanged_is_no_edit(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    url = link_form(panel).url
    url.setFocus()
    qtbot.keyClick(url, Qt.Key.Key_Tab)
    assert not url.hasFocus()
    assert editor.undo_stack.count() == 0
    assert properties(editor, LINK) == {"url": "https://example.com/a", "popup": False}


def test_an_invalid_address_stays_in_the_field_with_its_reason_and_is_not_committed(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    form = link_form(panel)
    retype(qtbot, form.url, "htp:/oops")
    qtbot.keyClick(form.url, Qt.Key.Key_Return)

    assert form.url.text() == "htp:/oops"
    error = form.boxes["url"].error
    assert error.isVisible()
    assert error.text().startswith("The address does not start with http:")
    assert properties(editor, LINK)["url"] == "https://example.com/a"
    assert editor.undo_stack.count() == 0


def test_the_message_follows_each_keystroke(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    form = link_form(panel)
    retype(qtbot, form.url, "https://")
    assert form.boxes["url"].error.text() == "The address names no web site."
    qtbot.keyClicks(form.url, "shop.example.com")
    assert not form.boxes["url"].error.isVisible()


def test_an_emptied_address_is_committed_and_said_to_be_needed(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    form = link_form(panel)
    retype(qtbot, form.url, "")
    qtbot.keyClick(form.url, Qt.Key.Key_Return)
    assert properties(editor, LINK)["url"] == ""
    assert "can't be saved without an address" in form.boxes["url"].error.text()


def test_a_canvas_edit_refreshes_the_panel_but_keeps_text_being_typed(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    form = link_form(panel)
    retype(qtbot, form.url, "https://exam")
    editor.set_shown_rects({LINK: Rect(0, 0, 50, 40)}, "Resize")
    assert panel.size_label.text() == "50 x 40 pt"
    assert form.url.text() == "https://exam"
    assert form.url.hasFocus()


def test_undo_of_another_edit_shows_in_a_field_not_being_typed_in(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    form = link_form(panel)
    qtbot.mouseClick(form.popup, Qt.MouseButton.LeftButton)
    assert properties(editor, LINK)["popup"] is True
    assert form.max_width.isEnabled()
    editor.undo_stack.undo()
    assert not form.popup.isChecked()
    assert not form.max_width.isEnabled()


def test_popup_size_is_set_in_pixels_and_zero_means_not_set(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    form = link_form(panel)
    qtbot.mouseClick(form.popup, Qt.MouseButton.LeftButton)
    retype(qtbot, form.max_width.lineEdit(), "640")
    qtbot.keyClick(form.max_width, Qt.Key.Key_Return)
    assert properties(editor, LINK)["max_width"] == 640
    assert properties(editor, LINK).get("max_height") is None
    assert form.max_height.text() == "Not set"
    assert editor.undo_stack.count() == 2  # the popup, then the width


def test_choosing_another_type_keeps_the_place_and_starts_its_fields(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    combo = panel.type_combo
    combo.showPopup()
    view = combo.view()
    video = view.visualRect(combo.model().index(combo.findText("Video"), 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=video)
    item = editor.model.get(LINK)
    assert item is not None
    assert item.type is HotspotType.VIDEO
    assert item.rect == Rect(10, 10, 130, 90)
    assert item.properties["source"] == "" and item.properties["showThumbnail"] is True
    assert isinstance(panel.form, VideoForm)
    assert panel.form.source.text() == ""
    assert editor.undo_stack.count() == 1
    assert editor.undo_stack.undoText() == "Change type"


def test_slideshow_is_offered_only_for_a_slideshow(
    panel: PropertyPanel, editor: HotspotEditor
) -> None:
    editor.select([LINK])
    kinds = [panel.type_combo.itemText(i) for i in range(panel.type_combo.count())]
    assert kinds == ["Product", "Link", "Page reference", "Image", "Video"]
    editor.select([SLIDESHOW])
    assert panel.type_combo.currentText() == "Slideshow"


def test_skus_show_their_product_titles_and_unknown_ones_are_marked(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    panel.set_catalogue(CATALOGUE)
    select(qtbot, editor, PRODUCT)
    form = panel.form
    assert isinstance(form, ProductForm)
    retype(qtbot, form.skus.entry, "GONE-3")
    qtbot.keyClick(form.skus.entry, Qt.Key.Key_Return)

    assert properties(editor, PRODUCT)["skus"] == ["SHOE-1", "GONE-3"]
    assert form.skus.rows["SHOE-1"].title_label.text() == "Red running shoe"
    assert form.skus.rows["GONE-3"].title_label.text() == "not in the catalogue"
    assert "color" in form.skus.rows["GONE-3"].title_label.styleSheet()
    assert form.skus.entry.text() == ""


def test_without_a_catalogue_no_sku_is_marked(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, PRODUCT)
    form = panel.form
    assert isinstance(form, ProductForm)
    assert form.skus.rows["SHOE-1"].title_label.isHidden()


def test_the_sku_line_completes_from_the_catalogue_and_enter_adds_the_completion(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    panel.set_catalogue(CATALOGUE)
    select(qtbot, editor, PRODUCT)
    # Under the offscreen platform the test window loses its activation once the SKU rows
    # with titles are laid out; the completer needs the focus a user's window has.
    with qtbot.waitActive(panel):
        panel.activateWindow()
    form = panel.form
    assert isinstance(form, ProductForm)
    form.skus.entry.setFocus()
    qtbot.keyClicks(form.skus.entry, "hat")
    completer = form.skus.completer
    assert completer.popup().isVisible()
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "HAT-9"

    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)

    assert properties(editor, PRODUCT)["skus"] == ["SHOE-1", "HAT-9"]
    qtbot.waitUntil(lambda: form.skus.entry.text() == "")
    assert editor.undo_stack.count() == 1


def test_removing_a_sku_and_adding_one_are_one_step_each(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, PRODUCT)
    form = panel.form
    assert isinstance(form, ProductForm)
    qtbot.mouseClick(form.skus.rows["SHOE-1"].remove, Qt.MouseButton.LeftButton)
    assert properties(editor, PRODUCT)["skus"] == []
    assert form.skus.empty.isVisible()
    retype(qtbot, form.skus.entry, "HAT-9")
    qtbot.mouseClick(form.skus.add_button, Qt.MouseButton.LeftButton)
    assert properties(editor, PRODUCT)["skus"] == ["HAT-9"]
    assert editor.undo_stack.count() == 2
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert list(form.skus.rows) == ["SHOE-1"]


def test_a_sku_listed_already_is_refused(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, PRODUCT)
    form = panel.form
    assert isinstance(form, ProductForm)
    retype(qtbot, form.skus.entry, "SHOE-1")
    assert form.skus.message.text() == "SHOE-1 is listed already."
    qtbot.keyClick(form.skus.entry, Qt.Key.Key_Return)
    assert properties(editor, PRODUCT)["skus"] == ["SHOE-1"]
    assert editor.undo_stack.count() == 0


def test_product_flags_are_committed_on_toggle(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, PRODUCT)
    form = panel.form
    assert isinstance(form, ProductForm)
    qtbot.mouseClick(form.dynamic, Qt.MouseButton.LeftButton)
    assert properties(editor, PRODUCT) == {"skus": ["SHOE-1"], "icon": True, "dynamic": False}


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube video dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "Vimeo video 76979871"),
        (
            "https://cdn.example.com/spring.mp4",
            "Not a YouTube or Vimeo address: played as a video file",
        ),
    ],
)
def test_the_video_address_says_what_plays_as_it_is_typed(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor, url: str, line: str
) -> None:
    select(qtbot, editor, VIDEO)
    form = panel.form
    assert isinstance(form, VideoForm)
    retype(qtbot, form.source, url)
    assert form.provider.text() == line
    qtbot.keyClick(form.source, Qt.Key.Key_Return)
    assert properties(editor, VIDEO)["source"] == url


def test_the_target_page_is_limited_to_the_documents_pages(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, REFERENCE)
    form = panel.form
    assert isinstance(form, PageReferenceForm)
    assert form.page.maximum() == 3
    retype(qtbot, form.page.lineEdit(), "9")  # refused as typed: there is no page 9
    assert form.page.text() == " of 3"
    qtbot.keyClicks(form.page.lineEdit(), "2")
    assert form.page.text() == "2 of 3"
    qtbot.keyClick(form.page, Qt.Key.Key_Return)
    assert properties(editor, REFERENCE)["page"] == 2
    assert editor.undo_stack.undoText() == "Edit page reference"


def test_image_alt_text_is_committed_when_editing_finishes(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, IMAGE)
    form = panel.form
    assert form is not None
    retype(qtbot, form.lines["altText"], "A red shoe")
    qtbot.keyClick(form.lines["altText"], Qt.Key.Key_Tab)  # leaving the field finishes it
    assert properties(editor, IMAGE) == {
        "source": "https://cdn.example.com/a.png",
        "altText": "A red shoe",
    }


def test_a_valid_edit_left_by_selecting_another_hotspot_is_kept(
    qtbot: Any, panel: PropertyPanel, editor: HotspotEditor
) -> None:
    select(qtbot, editor, LINK)
    retype(qtbot, link_form(panel).url, "https://example.com/kept")
    select(qtbot, editor, PRODUCT)
    assert properties(editor, LINK)["url"] == "https://example.com/kept"
