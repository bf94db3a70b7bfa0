"""New publication from a PDF (file dialog or a drop): the file is checked in a worker, the
user confirms title, group and language, and the publication lands in the library at once;
the next sync uploads the PDF and creates it on the server."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.languages import LANGUAGES
from app.mirror.library import ChangeSet, Item
from app.ui.messages import describe
from app.ui.pdf_thread import pdf_runner
from app.ui.prompts import show_error
from app.ui.tasks import TaskContext

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


@dataclass(frozen=True)
class PdfFacts:
    path: Path
    title: str
    pages: int


def title_from_name(path: Path) -> str:
    """``spring_catalogue-2026.pdf`` -> ``Spring catalogue 2026``."""
    words = re.sub(r"[_\-.]+", " ", path.stem).strip()
    return (words[:1].upper() + words[1:]) if words else "Untitled"


def inspect_pdf(path: Path) -> PdfFacts:
    """Raises InvalidPdfError (not a PDF, damaged, encrypted, no pages) or OSError."""
    # PyMuPDF loads on first use, not while the window starts.
    from app.pdf.document import PdfDocument

    with PdfDocument.open(path, in_memory=False) as document:
        title = document.title or title_from_name(path)
        return PdfFacts(path, title[:250], document.page_count)


class NewPublicationDialog(QDialog):
    def __init__(
        self, facts: PdfFacts, groups: list[Item], group_id: int | None, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New publication")
        self.facts = facts
        self.title = QLineEdit(facts.title)
        self.title.setMinimumWidth(380)
        self.group = QComboBox()
        for group in groups:
            self.group.addItem(str(group.data.get("title") or f"Group {group.id}"), group.id)
        if group_id is not None:
            self.group.setCurrentIndex(max(0, self.group.findData(group_id)))
        self.language = QComboBox()
        self.language.addItem("Not set", None)
        for code, name in sorted(LANGUAGES.items(), key=lambda pair: pair[1]):
            self.language.addItem(f"{name} ({code})", code)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c62828;")
        form = QFormLayout()
        form.addRow(
            "File",
            QLabel(f"{facts.path.name} · {facts.pages} page{'s' if facts.pages != 1 else ''}"),
        )
        form.addRow("&Title", self.title)
        form.addRow("&Group", self.group)
        form.addRow("&Language", self.language)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.error.setText("The title can't be blank.")
            return
        if self.group.currentData() is None:
            self.error.setText("There is no group to put it in yet; sync first.")
            return
        self.accept()

    def fields(self) -> dict[str, object]:
        fields: dict[str, object] = {
            "title": self.title.text().strip(),
            "source_path": str(self.facts.path),
        }
        if self.language.currentData():
            fields["language"] = self.language.currentData()
        return fields


class NewPublicationFlow(QObject):
    """Files become publications strictly one at a time: a file is checked (PyMuPDF, which
    must not run twice at once) and its dialog answered before the next file is looked at,
    however many drops or Ctrl+N arrive meanwhile; they wait in the queue."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = window.workspace
        # The dialog waiting for an answer, if any (None while a file is being checked).
        self.dialog: NewPublicationDialog | None = None
        self._queue: deque[Path] = deque()
        self._busy = False

    @property
    def busy(self) -> bool:
        """Whether a file is being checked or its dialog is open."""
        return self._busy

    def start(self, paths: list[Path]) -> None:
        """Check each file, then ask about each good one in turn."""
        self._queue.extend(paths)
        self._next()

    def _next(self) -> None:
        if self._busy or not self._queue:
            return
        self._busy = True
        path = self._queue.popleft()
        library = self.workspace.library

        def check(_context: TaskContext) -> tuple[PdfFacts, list[Item]]:
            return inspect_pdf(path), library.groups()

        pdf_runner().run(
            check,
            name="inspect pdf",
            owner=self.window,
            on_done=self._ask,
            on_error=lambda exc: self._refused(path, exc),
        )

    def _refused(self, path: Path, exc: BaseException) -> None:
        # The message doesn't wait for an answer: the next file is checked meanwhile.
        show_error(
            self.window,
            "Can't use this file",
            f"“{path.name}” can't become a publication: {describe(exc)}",
        )
        self._done_with_file()

    def _ask(self, result: tuple[PdfFacts, list[Item]]) -> None:
        facts, groups = result
        dialog = NewPublicationDialog(facts, groups, self.window.current_group, self.window)
        self.dialog = dialog
        # Bound to its own dialog: the answer is read from the dialog that was answered.
        dialog.finished.connect(lambda code: self._answered(dialog, code))
        dialog.open()

    def _answered(self, dialog: NewPublicationDialog, code: int) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if code == QDialog.DialogCode.Accepted:
            group_id, fields = int(dialog.group.currentData()), dialog.fields()
            library = self.workspace.library
            self.workspace.runner.run(
                lambda _context: library.create_publication(group_id, fields),
                name="create publication",
                owner=self.window,
                on_done=self._created,
                on_error=lambda exc: show_error(self.window, "Not created", describe(exc)),
            )
        dialog.deleteLater()
        self._done_with_file()

    def _done_with_file(self) -> None:
        self._busy = False
        self._next()

    def _created(self, change: ChangeSet) -> None:
        self.window.request_selection(list(change.ids))
        self.workspace.changed.emit(change)
