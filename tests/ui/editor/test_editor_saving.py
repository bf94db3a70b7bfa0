"""Saving from the editor window: into the PDF in place (with a backup) and as a new file,
re-opened to check; refused while a hotspot can't be saved; the unsaved-changes question;
CSV export and import; replacing a page with a preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox

from app.core.geometry import Rect
from app.core.hotspots import Hotspot, HotspotType
from app.ui.editor.editor_window import EditorWindow
from app.ui.editor.sources import load_pdf
from tests.sample_pdfs import PageSpec, build_pdf, product_note
from tests.ui.editor.editor_driver import open_editor
from tests.ui.window_driver import answer_next_question


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "spring.pdf"
    path.write_bytes(
        build_pdf(
            [
                PageSpec(
                    text="Page one",
                    notes=[((100, 600, 250, 700), product_note("SKU-1"))],
                    links=[((100, 100, 300, 150), "https://example.com/one")],
                ),
                PageSpec(rotation=90, text="Page two"),
                PageSpec(crop=(40, 60, 540, 760), text="Page three"),
            ]
        )
    )
    return path


@pytest.fixture
def window(pdf: Path, qtbot: Any) -> EditorWindow:
    return open_editor(pdf, qtbot)


def product(page: int, rect: Rect, *skus: str) -> Hotspot:
    return Hotspot(
        HotspotType.PRODUCT, page, rect, {"skus": list(skus), "icon": True, "dynamic": True}
    )


def wait_saved(window: EditorWindow, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: not window.busy, timeout=15_000)


def test_save_writes_the_hotspots_into_the_pdf_in_place_with_a_backup(
    window: EditorWindow, pdf: Path, qtbot: Any
) -> None:
    original = pdf.read_bytes()
    window.editor.add([product(2, Rect(100, 100, 200, 180), "SKU-2", "SKU-3")])
    window.editor.add([product(3, Rect(60, 80, 160, 130), "SKU-4")])
    window.actions_.actions["save"].trigger()
    wait_saved(window, qtbot)
    assert not window.editor.dirty
    assert "Saved 4 hotspots into spring.pdf" in window.statusBar().currentMessage()
    reread = load_pdf(pdf)
    assert sorted((h.page, h.type.value) for h in reread.hotspots) == [
        (1, "external_link"),
        (1, "product"),
        (2, "product"),
        (3, "product"),
    ]
    on_two = next(h for h in reread.hotspots if h.page == 2)
    assert on_two.rect.is_close(Rect(100, 100, 200, 180), 0.001)
    assert on_two.properties["skus"] == ["SKU-2", "SKU-3"]
    [backup] = pdf.parent.glob("spring.backup-*.pdf")
    assert backup.read_bytes() == original
    assert pdf.read_bytes().startswith(original)  # saved incrementally


def test_save_as_writes_a_new_file_and_leaves_the_original_alone(
    window: EditorWindow, pdf: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = pdf.read_bytes()
    target = pdf.with_name("spring edited.pdf")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.editor.delete(
        [item.key for item in window.model.state if item.type is HotspotType.PRODUCT]
    )
    window.actions_.actions["save_as"].trigger()
    wait_saved(window, qtbot)
    assert pdf.read_bytes() == original
    assert [h.type for h in load_pdf(target).hotspots] == [HotspotType.EXTERNAL_LINK]
    assert window.editor.dirty  # the open document itself is still unsaved


def test_a_hotspot_that_cant_be_saved_stops_the_save_and_is_shown(
    window: EditorWindow, pdf: Path, qtbot: Any
) -> None:
    original = pdf.read_bytes()
    [key] = window.editor.add([product(1, Rect(300, 300, 400, 350))])  # no SKU yet
    window.editor.select([])
    window.actions_.actions["save"].trigger()
    qtbot.waitUntil(lambda: bool(_message_boxes(window)), timeout=5_000)
    [box] = _message_boxes(window)
    assert "Nothing was saved" in box.text() and "no SKU" in box.text()
    assert window.editor.selected == [key]  # shown to the designer
    assert pdf.read_bytes() == original
    box.close()


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(
    window: EditorWindow, qtbot: Any
) -> None:
    path = window_path(window)
    window.editor.add([product(1, Rect(300, 300, 400, 350), "SKU-9")])
    answer_next_question("Cancel")
    assert not window.close()
    assert window.isVisible()
    answer_next_question("Save")
    window.close()
    # Closed once the save succeeded.
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=15_000)
    assert any(h.properties.get("skus") == ["SKU-9"] for h in load_pdf(path).hotspots)


def window_path(window: EditorWindow) -> Path:
    assert window.pdf_session is not None
    return window.pdf_session.path


def test_csv_export_then_import_as_added_hotspots_is_one_undo_step(
    window: EditorWindow, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = tmp_path / "hotspots.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(csv_path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv_path), ""))
    window.actions_.actions["export_csv"].trigger()
    qtbot.waitUntil(csv_path.is_file, timeout=5_000)
    text = csv_path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("page,type,x0,y0,x1,y1")
    assert "SKU-1" in text and "https://example.com/one" in text
    before = len(window.model.state)
    answer_next_question("Add")
    window.actions_.actions["import_csv"].trigger()
    qtbot.waitUntil(lambda: len(window.model.state) == 2 * before, timeout=5_000)
    window.editor.undo_stack.undo()
    assert len(window.model.state) == before


def test_a_broken_csv_is_refused_with_its_line_numbers(
    window: EditorWindow, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = tmp_path / "broken.csv"
    csv_path.write_text("page,type,x0,y0,x1,y1\n1,product,10,10,50,50\n9,link,a,0,1,1\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(csv_path), ""))
    before = window.model.state
    window.actions_.actions["import_csv"].trigger()
    qtbot.waitUntil(lambda: bool(_message_boxes(window)), timeout=5_000)
    text = _message_boxes(window)[0].text()
    assert "Line 2" in text and "Line 3" in text
    assert window.model.state == before


def test_replacing_a_page_previews_then_keeps_the_chosen_hotspots_and_saves_the_new_page(
    window: EditorWindow, pdf: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_page = tmp_path / "new page.pdf"
    new_page.write_bytes(build_pdf([PageSpec(width=500, height=700, text="New version")]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(new_page), ""))
    seen: list[QDialog] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or type(dialog).__name__ != "ReplacePagePreview":
            QTimer.singleShot(30, answer)
            return
        seen.append(dialog)
        dialog.accept()

    QTimer.singleShot(30, answer)
    window.canvas.scroll_to_page(1)
    window.actions_.actions["replace_page"].trigger()
    qtbot.waitUntil(lambda: window.model.page(1).size == (500, 700), timeout=10_000)
    assert seen
    assert len(window.model.on_page(1)) == 2  # both kept, placed on the new page
    window.actions_.actions["save"].trigger()
    wait_saved(window, qtbot)
    reread = load_pdf(pdf)
    assert reread.pages[0].size == (500, 700)
    assert len([h for h in reread.hotspots if h.page == 1]) == 2
    window.editor.undo_stack.undo()  # history is gone with the old page: nothing happens
    assert window.model.page(1).size == (500, 700)


def _message_boxes(window: EditorWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_upload_as_publication_needs_a_library(window: EditorWindow) -> None:
    # The real upload is tested with a server in test_accuracy.py.
    assert not window.actions_.actions["publish"].isEnabled()


def test_nothing_can_be_edited_while_a_save_runs(window: EditorWindow, qtbot: Any) -> None:
    window.editor.select([window.model.state[0].key])
    window.editor.nudge(1.0, 0.0)
    window.actions_.actions["save"].trigger()
    assert window.busy
    assert not window.actions_.actions["delete"].isEnabled()
    assert not window.actions_.actions["undo"].isEnabled()
    assert not window.properties.isEnabled()
    wait_saved(window, qtbot)
    assert window.actions_.actions["delete"].isEnabled()
    assert window.actions_.actions["undo"].isEnabled()


def test_text_still_being_typed_in_a_field_is_saved(
    window: EditorWindow, pdf: Path, qtbot: Any
) -> None:
    link = next(i for i in window.model.state if i.type is HotspotType.EXTERNAL_LINK)
    window.editor.select([link.key])
    form = window.properties.form
    assert form is not None
    line = form.lines["url"]
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, "https://example.com/typed")
    window.actions_.actions["save"].trigger()  # Ctrl+S: the field never lost focus
    wait_saved(window, qtbot)
    urls = [h.properties.get("url") for h in load_pdf(pdf).hotspots]
    assert "https://example.com/typed" in urls


def test_undoing_a_page_replacement_draws_the_old_page_again(
    window: EditorWindow, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_page = tmp_path / "wide.pdf"
    new_page.write_bytes(build_pdf([PageSpec(width=800, height=500, text="Wide")]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(new_page), ""))

    def accept_preview() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or type(dialog).__name__ != "ReplacePagePreview":
            QTimer.singleShot(30, accept_preview)
            return
        dialog.accept()

    QTimer.singleShot(30, accept_preview)
    window.canvas.scroll_to_page(1)
    window.actions_.actions["replace_page"].trigger()
    qtbot.waitUntil(lambda: window.model.page(1).size == (800, 500), timeout=10_000)

    def drawn_size() -> tuple[int, int] | None:
        image = window.images.image(1, 0.5)
        return None if image is None else (image.width(), image.height())

    qtbot.waitUntil(lambda: drawn_size() == (400, 250), timeout=10_000)
    window.editor.undo_stack.undo()
    assert window.model.page(1).size == (600, 800)
    assert window.replacements == {}
    qtbot.waitUntil(lambda: drawn_size() == (300, 400), timeout=10_000)
    window.editor.undo_stack.redo()
    qtbot.waitUntil(lambda: drawn_size() == (400, 250), timeout=10_000)
