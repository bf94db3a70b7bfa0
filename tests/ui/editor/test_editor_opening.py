"""Opening a PDF in the editor: a broken, encrypted or non-PDF file is explained and opens
nothing; the same file asked twice is one window."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.ui.editor import editor_opening
from app.ui.editor.editor_window import EditorWindow
from tests.conftest import SHARED
from tests.sample_pdfs import PageSpec, build_pdf
from tests.ui.editor.editor_driver import OPENED

CORPUS = SHARED / "corpus"


def message_texts() -> list[str]:
    return [
        f"{box.text()} {box.informativeText()}"
        for box in QApplication.topLevelWidgets()
        if isinstance(box, QMessageBox) and box.isVisible()
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("poppler-85140-0.pdf", "damaged"),
        ("libreoffice-writer-password.pdf", "password"),
        ("nonpdf-word97-renamed.pdf", "not a PDF"),
    ],
)
def test_a_file_that_cant_be_edited_is_explained_and_opens_nothing(
    tmp_path: Path, qtbot: Any, name: str, reason: str
) -> None:
    if not (CORPUS / name).is_file():
        pytest.skip(f"the corpus file {name} is not here")
    path = tmp_path / name
    shutil.copyfile(CORPUS / name, path)
    parent = QWidget()
    qtbot.addWidget(parent)
    opened: list[EditorWindow] = []
    editor_opening.open_pdf(path, None, parent, on_open=opened.append)
    qtbot.waitUntil(lambda: any(name in text for text in message_texts()), timeout=10_000)
    [text] = [t for t in message_texts() if name in t]
    assert reason.lower() in text.lower(), text
    assert not opened
    for box in parent.findChildren(QMessageBox):
        box.close()


def test_a_missing_file_is_explained(tmp_path: Path, qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    editor_opening.open_pdf(tmp_path / "gone.pdf", None, parent)
    qtbot.waitUntil(lambda: any("gone.pdf" in t for t in message_texts()), timeout=10_000)
    for box in parent.findChildren(QMessageBox):
        box.close()


def test_opening_the_same_pdf_twice_brings_the_open_window_forward(
    tmp_path: Path, qtbot: Any
) -> None:
    path = tmp_path / "twice.pdf"
    path.write_bytes(build_pdf([PageSpec(text="Once")]))
    opened: list[EditorWindow] = []
    editor_opening.open_pdf(path, None, None, on_open=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    OPENED.extend(opened)
    editor_opening.open_pdf(path, None, None, on_open=opened.append)
    qtbot.wait(300)
    assert len(opened) == 1


def test_two_quick_requests_for_one_pdf_open_one_window(tmp_path: Path, qtbot: Any) -> None:
    path = tmp_path / "quick.pdf"
    path.write_bytes(build_pdf([PageSpec(text="Quick")]))
    opened: list[EditorWindow] = []
    editor_opening.open_pdf(path, None, None, on_open=opened.append)
    editor_opening.open_pdf(path, None, None, on_open=opened.append)  # while it loads
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    qtbot.wait(300)
    OPENED.extend(opened)
    assert len(opened) == 1
