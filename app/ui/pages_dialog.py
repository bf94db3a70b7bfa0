"""Add pages, replace a page or remove a page of a publication, with the page chosen from
its thumbnails.

Adding and replacing upload a local PDF (checked first, in a worker) and start a conversion
on the server; the dialog then follows that conversion until it ends. Removing is immediate.
All three need the server: offline, the dialog says so and shows the pages as last synced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.client.api_base import Fetched
from app.ui.conversion_dialog import (
    FINAL_STATES,
    POLL_MS,
    ConversionRow,
    ask_stop_conversion,
    publication_title,
)
from app.ui.live_status import OpenGuard, Poller, set_message
from app.ui.messages import describe
from app.ui.page_sources import SourceFileBox, pages_text
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
        self.conversion: dict[str, Any] | None = None
        self.busy = False
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
        self.source_box: SourceFileBox | None = None
        if mode != "remove":
            self.source_box = SourceFileBox(mode, workspace.runner, self._open)
            # The box's inputs as the dialog's own: submit and the tests reach them here.
            self.file_info = self.source_box.file_info
            if mode == "add":
                self.some_pages = self.source_box.some_pages
                self.page_list = self.source_box.page_list
            else:
                self.source_page = self.source_box.source_page
                self.keep_hotspots = self.source_box.keep_hotspots

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(hint)
        layout.addWidget(self.notice)
        layout.addWidget(self.strip, 1)
        layout.addWidget(self.where)
        if self.source_box is not None:
            layout.addWidget(self.source_box)
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

    @property
    def source_path(self) -> Path | None:
        return self.source_box.source_path if self.source_box is not None else None

    @property
    def source_pages(self) -> int:
        """The chosen PDF's page count once it checked out, else 0."""
        return self.source_box.source_pages if self.source_box is not None else 0

    def set_source_file(self, path: str | Path) -> None:
        """Use the PDF at ``path``, checked in a worker (see ``SourceFileBox``)."""
        assert self.source_box is not None, "removing a page takes no PDF"
        self.source_box.set_source_file(path)

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
        assert self.source_box is not None
        try:
            numbers = self.source_box.chosen_pages()
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
                self._say(
                    f"Done: {pages_text(int(conversion.get('total_pages') or 0))} added.", "good"
                )
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
        if not ask_stop_conversion(self):
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
        rest = f" The publication has {pages_text(int(left))} now." if isinstance(left, int) else ""
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
