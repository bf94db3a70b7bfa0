"""Where new pages come from, for the pages dialog: the PDF file on this computer (checked in
a worker before anything is uploaded) and which of its pages to use.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.ui.live_status import OpenGuard, set_message
from app.ui.messages import describe
from app.ui.pdf_thread import pdf_runner
from app.ui.tasks import TaskRunner


def pages_text(count: int) -> str:
    return f"{count} page{'s' if count != 1 else ''}"


def parse_page_list(text: str, page_count: int) -> list[int]:
    """``"1-3, 5"`` -> ``[1, 2, 3, 5]`` (1-based, in the order given). Raises ValueError with
    a message for the user when a part is not a page or range of a ``page_count``-page PDF."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("Enter the pages to insert, like 1-3, 5.")
    numbers: list[int] = []
    for part in parts:
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if match is None:
            raise ValueError(f"“{part}” is not a page number or a range like 2-4.")
        first, last = int(match[1]), int(match[2] or match[1])
        if first > last:
            raise ValueError(f"The range {part} runs backwards; write it as {last}-{first}.")
        if first < 1 or last > page_count:
            raise ValueError(f"{part}: the PDF has pages 1 to {page_count} only.")
        numbers.extend(range(first, last + 1))
    return numbers


def count_pdf_pages(path: Path) -> int:
    """Raises InvalidPdfError (not a PDF, damaged, encrypted, no pages) or OSError. Runs in a
    worker."""
    # Imported here, in the worker: PyMuPDF takes over a second to import.
    from app.pdf.document import PdfDocument

    with PdfDocument.open(path, in_memory=False) as document:
        return document.page_count


class SourceFileBox(QGroupBox):
    """The PDF the new pages ("add") or the new page ("replace") come from, and which of its
    pages. ``guard`` is the dialog's: a check that ends after the dialog closed is dropped."""

    def __init__(
        self, mode: str, runner: TaskRunner, guard: OpenGuard, parent: QWidget | None = None
    ) -> None:
        title = "PDF with the new pages" if mode == "add" else "PDF with the new page"
        super().__init__(title, parent)
        self.mode = mode
        self.runner = runner
        self._open = guard
        self.source_path: Path | None = None
        self.source_pages = 0  # > 0 once the chosen file checked out as a PDF
        self._source_generation = 0
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("No file chosen")
        self.file_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes to Choose PDF
        choose = QPushButton("Choose &PDF…")
        choose.setToolTip("Pick a PDF file on this computer")
        choose.clicked.connect(self.choose_source_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(choose)
        self.file_info = QLabel()
        self.file_info.setWordWrap(True)
        self.file_info.hide()
        form = QFormLayout(self)
        form.addRow("File:", file_row)
        form.addRow("", self.file_info)
        if self.mode == "add":
            self.all_pages = QRadioButton("A&ll of its pages")
            self.all_pages.setChecked(True)
            self.some_pages = QRadioButton("&Only these:")
            self.page_list = QLineEdit()
            self.page_list.setPlaceholderText("for example 1-3, 5")
            self.page_list.setToolTip("Page numbers of the PDF and ranges, separated by commas")
            self.page_list.setEnabled(False)
            self.page_list.textEdited.connect(lambda _text: self.some_pages.setChecked(True))
            self.some_pages.toggled.connect(self.page_list.setEnabled)
            group = QButtonGroup(self)
            group.addButton(self.all_pages)
            group.addButton(self.some_pages)
            row = QHBoxLayout()
            row.addWidget(self.all_pages)
            row.addSpacing(12)
            row.addWidget(self.some_pages)
            row.addWidget(self.page_list, 1)
            form.addRow("Pages:", row)
        else:
            self.source_page = QSpinBox()
            self.source_page.setRange(1, 1)
            self.source_page.setMinimumWidth(80)
            self.source_page.setToolTip("Which page of the chosen PDF becomes the new page")
            self.source_page_of = QLabel("")
            row = QHBoxLayout()
            row.addWidget(self.source_page)
            row.addWidget(self.source_page_of)
            row.addStretch(1)
            label = QLabel("&Use its page:")
            label.setBuddy(self.source_page)
            form.addRow(label, row)
            self.keep_hotspots = QCheckBox("&Keep the hotspots of the page being replaced")
            self.keep_hotspots.setChecked(True)
            self.keep_hotspots.setToolTip(
                "They stay where they are on the page; untick to start the new page without any"
            )
            form.addRow("", self.keep_hotspots)

    def chosen_pages(self) -> list[int] | None:
        """The 1-based pages of the PDF to use, None for all of them. Raises ValueError with a
        message for the user while no usable PDF is chosen or the page list doesn't fit it."""
        if self.source_path is None:
            raise ValueError("Choose the PDF first (Choose PDF…).")
        if self.source_pages == 0:
            raise ValueError(self.file_info.text() or "The PDF is still being checked.")
        if self.mode == "add" and self.some_pages.isChecked():
            return parse_page_list(self.page_list.text(), self.source_pages)
        return None

    def choose_source_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self.window(),
            "Choose a PDF",
            str(self.source_path.parent if self.source_path else Path.home()),
            "PDF files (*.pdf);;All files (*)",
        )
        if name:
            self.set_source_file(name)

    def set_source_file(self, path: str | Path) -> None:
        """Use the PDF at ``path``; it is checked in a worker (``source_pages`` is its page
        count once it checked out, 0 while checking or when it can't be used)."""
        path = Path(path)
        self.source_path = path
        self.source_pages = 0
        self._source_generation += 1
        generation = self._source_generation
        self.file_edit.setText(str(path))
        set_message(self.file_info, "Checking the file…")
        pdf_runner().run(
            lambda _context: count_pdf_pages(path),
            name="check pdf",
            on_done=self._open(lambda count: self._source_checked(generation, count)),
            on_error=self._open(lambda exc: self._source_refused(generation, path, exc)),
        )

    def _source_checked(self, generation: int, count: int) -> None:
        if generation != self._source_generation:
            return  # another file was chosen meanwhile
        self.source_pages = count
        set_message(self.file_info, f"A PDF with {pages_text(count)}.", "good")
        if self.mode == "add":
            self.page_list.setPlaceholderText(f"for example 1-{count}" if count > 1 else "1")
        else:
            self.source_page.setRange(1, count)
            self.source_page_of.setText(f"of {count}")

    def _source_refused(self, generation: int, path: Path, exc: BaseException) -> None:
        if generation != self._source_generation:
            return
        set_message(self.file_info, f"“{path.name}” can't be used: {describe(exc)}", "bad")
