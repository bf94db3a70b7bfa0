"""Add pages, replace a page or remove a page of a publication, with the page chosen from
its thumbnails.

Adding and replacing upload a local PDF (checked first, in a worker) and start a conversion
on the server; the dialog then follows that conversion until it ends. Removing is immediate.
All three need the server: offline, the dialog says so and shows the pages as last synced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.client.api_base import Fetched
from app.pdf.document import PdfDocument
from app.ui.conversion_dialog import (
    FINAL_STATES,
    POLL_MS,
    ConversionRow,
    OpenGuard,
    Poller,
    publication_title,
    set_message,
)
from app.ui.messages import describe
from app.ui.page_thumbnails import END, PageInfo, PageStrip, pages_of
from app.ui.prompts import confirm
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

OFFLINE_TEXT = (
    "Folio is not connected to the server. Adding, replacing and removing pages happen on "
    "the server, so they can't be done now; the pages below are as of the last sync."
)


@dataclass(frozen=True)
class ModeText:
    title: str
    hint: str
    action: str


MODES = {
    "add": ModeText(
        "Add pages",
        "Choose where the new pages go: click the page they go before, or “At the end”. "
        "Then choose the PDF they come from.",
        "&Add pages",
    ),
    "replace": ModeText(
        "Replace a page",
        "Choose the page to replace, then the PDF whose page takes its place.",
        "&Replace page",
    ),
    "remove": ModeText("Remove a page", "Choose the page to remove.", "Re&move page…"),
}


def _pages(count: int) -> str:
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
    """Raises InvalidPdfError (not a PDF, damaged, encrypted, no pages) or OSError."""
    with PdfDocument.open(path, in_memory=False) as document:
        return document.page_count


class PagesDialog(QDialog):
    """``mode`` is "add", "replace" or "remove". ``set_source_file`` and ``submit`` do what
    the Choose PDF and action buttons do (without the file dialog)."""

    def __init__(
        self,
        workspace: Workspace,
        group_id: int,
        publication_id: int,
        mode: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if mode not in MODES:
            raise ValueError(f"unknown pages mode {mode!r}")
        self.workspace = workspace
        self.group_id = group_id
        self.publication_id = publication_id
        self.mode = mode
        self.text = MODES[mode]
        self.source_path: Path | None = None
        self.source_pages = 0  # > 0 once the chosen file checked out as a PDF
        self.conversion: dict[str, Any] | None = None
        self.busy = False
        self._source_generation = 0
        self._fresh_pages = False
        self._open = OpenGuard()
        self.setWindowTitle(self.text.title)
        self.setMinimumSize(640, 560 if mode != "remove" else 420)
        self.resize(780, 720 if mode != "remove" else 560)

        self.heading = QLabel(self.text.title)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        hint = QLabel(self.text.hint)
        hint.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.strip = PageStrip(
            workspace.paths.cache_dir / "page-thumbnails", end_item=mode == "add"
        )
        self.strip.itemSelectionChanged.connect(self._choice_changed)
        self.where = QLabel()
        self.where.setStyleSheet("font-weight: 600;")
        self.progress = ConversionRow()
        self.progress.cancel_requested.connect(self._cancel_conversion)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.action_button = QPushButton(self.text.action)
        self.action_button.clicked.connect(self.submit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(hint)
        layout.addWidget(self.notice)
        layout.addWidget(self.strip, 1)
        layout.addWidget(self.where)
        if mode != "remove":
            layout.addWidget(self._source_box())
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self.poller = Poller(
            workspace.runner,
            self._fetch_conversion,
            self._show_conversion,
            self._poll_failed,
            POLL_MS,
            self,
        )
        self._choice_changed()
        self._load_title()
        self._load_pages(fresh=False)
        if workspace.connection is None:
            set_message(self.notice, OFFLINE_TEXT, "bad")
            self.action_button.setEnabled(False)
        else:
            self._load_pages(fresh=True)

    def _source_box(self) -> QGroupBox:
        box = QGroupBox("PDF with the new pages" if self.mode == "add" else "PDF with the new page")
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
        form = QFormLayout(box)
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
            group = QButtonGroup(box)
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
        return box

    # --- loading ------------------------------------------------------------------------

    def _load_title(self) -> None:
        self.workspace.runner.run(
            lambda _context: publication_title(self.workspace, self.group_id, self.publication_id),
            name="publication title",
            on_done=self._open(self._set_title),
            on_error=lambda _exc: None,  # the generic heading stays
        )

    def _set_title(self, title: str) -> None:
        if title:
            preposition = {"add": "to", "replace": "of", "remove": "from"}[self.mode]
            self.heading.setText(f"{self.text.title} {preposition} “{title}”")

    def _load_pages(self, *, fresh: bool) -> None:
        """From the library (at once), or from the server (current after a change here)."""
        group_id, pub_id, workspace = self.group_id, self.publication_id, self.workspace

        def load(_context: TaskContext) -> list[PageInfo]:
            if fresh:
                return pages_of(workspace.api().list_spreads(group_id, pub_id))
            return pages_of(item.data for item in workspace.library.spreads(pub_id))

        self.workspace.runner.run(
            load,
            name="publication pages",
            on_done=self._open(lambda pages: self._show_pages(pages, fresh)),
            on_error=self._open(lambda exc: self._pages_failed(exc, fresh)),
        )

    def _show_pages(self, pages: list[PageInfo], fresh: bool) -> None:
        if not fresh and self._fresh_pages:
            return  # the server's answer came first and is newer
        self._fresh_pages = self._fresh_pages or fresh
        self.strip.set_pages(pages)
        if self.mode == "add" and self.strip.chosen() is None:
            self.strip.choose(END)
        if not pages and (fresh or self.workspace.connection is None):
            self._say("This publication has no pages yet: its conversion hasn't finished.", "bad")
        self._choice_changed()

    def _pages_failed(self, exc: BaseException, fresh: bool) -> None:
        if fresh:
            set_message(self.notice, f"The pages could not be read: {describe(exc)}", "bad")

    # --- the choice and the source file ----------------------------------------------

    def _choice_changed(self) -> None:
        chosen = self.strip.chosen()
        if self.mode == "add":
            text = {None: "Choose where the new pages go.", END: "The new pages go at the end."}
            self.where.setText(text.get(chosen, f"The new pages go before page {chosen}."))
        elif chosen is None:
            self.where.setText(f"Choose the page to {self.mode}.")
        else:
            self.where.setText(f"Page {chosen} will be {self.mode}d.")

    def choose_source_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
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
        self.workspace.runner.run(
            lambda _context: count_pdf_pages(path),
            name="check pdf",
            on_done=self._open(lambda count: self._source_checked(generation, count)),
            on_error=self._open(lambda exc: self._source_refused(generation, path, exc)),
        )

    def _source_checked(self, generation: int, count: int) -> None:
        if generation != self._source_generation:
            return  # another file was chosen meanwhile
        self.source_pages = count
        set_message(self.file_info, f"A PDF with {_pages(count)}.", "good")
        if self.mode == "add":
            self.page_list.setPlaceholderText(f"for example 1-{count}" if count > 1 else "1")
        else:
            self.source_page.setRange(1, count)
            self.source_page_of.setText(f"of {count}")

    def _source_refused(self, generation: int, path: Path, exc: BaseException) -> None:
        if generation != self._source_generation:
            return
        set_message(self.file_info, f"“{path.name}” can't be used: {describe(exc)}", "bad")

    # --- doing it -------------------------------------------------------------------------

    def _say(self, text: str, tone: str = "") -> None:
        set_message(self.status, text, tone)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.action_button.setEnabled(not busy and self.workspace.connection is not None)
        self.strip.setEnabled(not busy)

    def submit(self) -> None:
        """Check the choices, then add, replace or remove."""
        if self.busy:
            return
        if self.workspace.connection is None:
            self._say(OFFLINE_TEXT, "bad")
            return
        chosen = self.strip.chosen()
        if chosen is None:
            self._say(self.where.text(), "bad")
            return
        if self.mode == "remove":
            self._remove(chosen)
            return
        if self.source_path is None:
            self._say("Choose the PDF first (Choose PDF…).", "bad")
            return
        if self.source_pages == 0:
            self._say(self.file_info.text() or "The PDF is still being checked.", "bad")
            return
        numbers: list[int] | None = None
        if self.mode == "add" and self.some_pages.isChecked():
            try:
                numbers = parse_page_list(self.page_list.text(), self.source_pages)
            except ValueError as exc:
                self._say(str(exc), "bad")
                return
        self._upload_and_start(chosen, numbers)

    def _upload_and_start(self, chosen: int, numbers: list[int] | None) -> None:
        path, mode = self.source_path, self.mode
        assert path is not None
        group_id, pub_id, workspace = self.group_id, self.publication_id, self.workspace
        source_page = self.source_page.value() if mode == "replace" else 1
        remove_hotspots = mode == "replace" and not self.keep_hotspots.isChecked()

        def start(_context: TaskContext) -> dict[str, Any]:
            api = workspace.api()
            source_url = api.upload_file(path, content_type="application/pdf")["source_url"]
            if mode == "add":
                position = None if chosen == END else chosen
                fetched = api.add_pages(
                    group_id, pub_id, source_url, source_page_numbers=numbers, position=position
                )
            else:
                fetched = api.replace_page(
                    group_id,
                    pub_id,
                    chosen,
                    source_url,
                    source_page_number=source_page,
                    remove_hotspots=remove_hotspots,
                )
            return fetched.data

        self._set_busy(True)
        self._say(f"Uploading “{path.name}”…")
        self.workspace.runner.run(
            start,
            name=f"{mode} pages",
            on_done=self._open(self._started),
            on_error=self._open(self._failed),
        )

    def _started(self, conversion: dict[str, Any]) -> None:
        self.conversion = conversion
        self._say(
            "The server is converting the new pages…"
            if self.mode == "add"
            else "The server is converting the new page…"
        )
        self._show_conversion(conversion)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._say(describe(exc), "bad")

    def _fetch_conversion(self, _context: TaskContext) -> dict[str, Any]:
        assert self.conversion is not None
        conversion_id = int(self.conversion["id"])
        api = self.workspace.api()
        return api.get_conversion(self.group_id, self.publication_id, conversion_id).data

    def _poll_failed(self, exc: BaseException) -> None:
        self._say(f"{describe(exc)} Still trying…", "bad")

    def _show_conversion(self, conversion: dict[str, Any]) -> None:
        self.conversion = conversion
        self.progress.show_conversion(conversion)
        self.progress.show()
        state = str(conversion.get("state") or "")
        if state not in FINAL_STATES:
            self.poller.start()
            return
        self.poller.stop()
        self._set_busy(False)
        if state == "finished":
            if self.mode == "add":
                self._say(f"Done: {_pages(int(conversion.get('total_pages') or 0))} added.", "good")
            else:
                self._say("Done: the page was replaced.", "good")
            self.workspace.changed.emit(None)  # the window syncs the new pages soon
            self._load_pages(fresh=True)
        elif state == "failed":
            details = conversion.get("state_details")
            reason = details.get("error") if isinstance(details, dict) else None
            self._say(
                f"The conversion failed: {reason or 'no reason given'}. "
                "The publication keeps its pages.",
                "bad",
            )
        else:
            self._say("Canceled: the publication keeps its pages.")

    def _cancel_conversion(self, conversion_id: int) -> None:
        if not confirm(
            self,
            "Stop this conversion?",
            "Stop converting? The publication keeps the pages it has now.",
            "Stop conversion",
        ):
            return
        self.workspace.runner.run(
            lambda _context: self.workspace.api().cancel_conversion(
                self.group_id, self.publication_id, conversion_id
            ),
            name="cancel conversion",
            on_done=lambda _fetched: self.poller.poll_now(),
            on_error=self._open(lambda exc: self._say(describe(exc), "bad")),
        )

    def _remove(self, page: int) -> None:
        count = len(self.strip.page_numbers())
        if not confirm(
            self,
            f"Remove page {page}?",
            f"Remove page {page} of {count}? Its hotspots go with it and the pages after it "
            "move up. This can't be undone.",
            "Remove page",
        ):
            return
        group_id, pub_id = self.group_id, self.publication_id
        self._set_busy(True)
        self._say(f"Removing page {page}…")
        self.workspace.runner.run(
            lambda _context: self.workspace.api().remove_page(group_id, pub_id, page),
            name="remove page",
            on_done=self._open(lambda fetched: self._removed(page, fetched)),
            on_error=self._open(self._failed),
        )

    def _removed(self, page: int, fetched: Fetched) -> None:
        self._set_busy(False)
        left = fetched.data.get("page_count")
        rest = f" The publication has {_pages(int(left))} now." if isinstance(left, int) else ""
        self._say(f"Page {page} was removed.{rest}", "good")
        self.strip.clearSelection()  # its number now belongs to the next page
        self.workspace.changed.emit(None)
        self._load_pages(fresh=True)

    def done(self, result: int) -> None:
        self._open.closed = True
        self.poller.close()
        if self.conversion is not None and self.conversion.get("state") not in FINAL_STATES:
            self.workspace.changed.emit(None)  # it goes on on the server; sync to follow it
        super().done(result)
