"""Conversion history of one publication: the last five conversions, newest first, each with
its state, a progress bar that follows the server live, the reason of a failure, and Cancel
for the one still running.

Also ``ConversionRow``, which the pages dialog shows for the conversion it started.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.client.errors import StateConflictError
from app.core.errors import NotFoundError
from app.ui.live_status import OpenGuard, Poller, StateBadge, format_time, set_message
from app.ui.messages import describe
from app.ui.prompts import confirm
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

log = logging.getLogger(__name__)

RUNNING_STATES = frozenset({"new", "preparing", "converting"})
FINAL_STATES = frozenset({"finished", "failed", "canceled"})
POLL_MS = 500
RETRY_TEXT = "Not loaded yet: asking the server again…"

KINDS = {
    "new_publication": "New publication",
    "api_add_pages": "Add pages",
    "api_replace_page": "Replace page",
    "page_manager": "Page manager",
}
WAITING_TEXT = {
    "new": "Waiting for the converter",
    "preparing": "Fetching and checking the PDF",
}
OFFLINE_TEXT = (
    "Folio is not connected to the server: this is the history as of the last sync, and it "
    "doesn't update. Live progress and Cancel need the server."
)


def conversion_tone(state: str) -> str:
    if state == "finished":
        return "good"
    if state == "failed":
        return "bad"
    return "busy" if state in RUNNING_STATES else "neutral"


class ConversionRow(QFrame):
    """One conversion: what it does, its state, how far it got, and why it failed."""

    cancel_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.conversion_id = 0
        self.data: dict[str, Any] = {}
        self.kind = QLabel()
        self.kind.setStyleSheet("font-weight: 600;")
        self.badge = StateBadge()
        self.when = QLabel()
        self.when.setEnabled(False)  # the palette's muted text
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(260)
        self.detail = QLabel()
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = QLabel()
        self.cancel_button = QPushButton("Cancel…")
        self.cancel_button.setToolTip("Stop this conversion; the publication keeps its pages")
        self.cancel_button.clicked.connect(lambda: self.cancel_requested.emit(self.conversion_id))

        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 10, 8)
        grid.setHorizontalSpacing(10)
        grid.addWidget(self.kind, 0, 0)
        grid.addWidget(self.badge, 0, 1)
        grid.addWidget(self.when, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.progress, 1, 0, 1, 3)
        grid.addWidget(self.cancel_button, 1, 3)
        grid.addWidget(self.detail, 2, 0, 1, 2)
        grid.addWidget(self.warnings, 2, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.reason, 3, 0, 1, 4)
        grid.setColumnStretch(2, 1)

    @property
    def state(self) -> str:
        return str(self.data.get("state") or "")

    def show_conversion(self, data: dict[str, Any], *, can_cancel: bool = True) -> None:
        self.data = dict(data)
        self.conversion_id = int(data.get("id") or 0)
        state = self.state
        kind = str(data.get("source_type") or "")
        self.kind.setText(KINDS.get(kind, kind.replace("_", " ").capitalize() or "Conversion"))
        self.kind.setToolTip(f"Conversion {self.conversion_id} ({kind})")
        self.badge.set_state(state, conversion_tone(state))
        started, updated = format_time(data.get("created_at")), format_time(data.get("updated_at"))
        self.when.setText(f"Started {started}" if started else "")
        self.when.setToolTip(f"Last change {updated}" if updated else "")
        self._show_progress(state, int(data.get("converted_pages") or 0), data.get("total_pages"))
        details = data.get("state_details")
        error = details.get("error") if isinstance(details, dict) else None
        set_message(self.reason, f"Why: {error}" if error else "", "bad")
        warnings = [w for w in data.get("warnings") or [] if isinstance(w, dict)]
        self.warnings.setText(
            f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
        )
        self.warnings.setToolTip(
            "\n".join(
                (f"Page {w['page']}: " if w.get("page") else "") + str(w.get("reason", ""))
                for w in warnings[:20]
            )
        )
        self.cancel_button.setVisible(can_cancel and state in RUNNING_STATES)

    def _show_progress(self, state: str, done: int, total_value: Any) -> None:
        total = int(total_value or 0)
        pages = f"{total} page{'s' if total != 1 else ''}"
        self.progress.setVisible(bool(total) or state in RUNNING_STATES)
        if state in RUNNING_STATES and (total == 0 or state != "converting"):
            self.progress.setRange(0, 0)  # busy: how much there is isn't known yet
            self.detail.setText(WAITING_TEXT.get(state, "Converting"))
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)) if total else 0)
        self.progress.setFormat(f"{done} of {total}" if total else "")
        if state == "converting":
            text = f"Converting page {min(done + 1, total)} of {total}"
        elif state == "finished":
            text = f"Done: {pages} converted"
        elif state == "canceled":
            text = f"Canceled after {done} of {pages}" if total else "Canceled before converting"
        else:
            text = f"Stopped after {done} of {pages}" if total else "Failed before converting"
        self.detail.setText(text)


def ask_stop_conversion(parent: QWidget) -> bool:
    """What Cancel on a ``ConversionRow`` asks first."""
    return confirm(
        parent,
        "Stop this conversion?",
        "Stop converting? The publication keeps the pages it has now.",
        "Stop conversion",
    )


def publication_title(workspace: Workspace, group_id: int, publication_id: int) -> str:
    """The title from the library, else from the server (one created since the last sync);
    runs in a worker."""
    try:
        return str(workspace.library.publication(publication_id).data.get("title") or "")
    except NotFoundError:
        if workspace.connection is None:
            return ""
        fetched = workspace.api().get_publication(group_id, publication_id)
        return str(fetched.data.get("title") or "")


class ConversionHistoryDialog(QDialog):
    """``rows`` maps conversion ids to their rows, newest first."""

    def __init__(
        self,
        workspace: Workspace,
        group_id: int,
        publication_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.group_id = group_id
        self.publication_id = publication_id
        self.rows: dict[int, ConversionRow] = {}
        self._states: dict[int, str] = {}
        self._poll_error = False
        self._open = OpenGuard()
        self.setWindowTitle("Conversions")
        self.setMinimumSize(600, 420)

        self.heading = QLabel("Conversions")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.empty = QLabel("Loading…")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 4, 0, 4)
        self.list_layout.setSpacing(8)
        self.list_layout.addWidget(self.empty)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_widget)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

        self.poller = Poller(
            workspace.runner, self._fetch, self._show, self._poll_failed, POLL_MS, self
        )
        self._load_title()
        if workspace.connection is None:
            set_message(self.notice, OFFLINE_TEXT)
            self._load_from_library()
        else:
            self.poller.poll_now()

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
            self.heading.setText(f"Conversions of “{title}”")
            self.setWindowTitle(f"Conversions — {title}")

    def _load_from_library(self) -> None:
        library, pub_id = self.workspace.library, self.publication_id
        self.workspace.runner.run(
            lambda _context: [item.data for item in library.conversions(pub_id)[:5]],
            name="conversions from the library",
            on_done=self._open(lambda items: self._show(items, live=False)),
            on_error=self._open(lambda exc: set_message(self.notice, describe(exc), "bad")),
        )

    def _fetch(self, _context: TaskContext) -> list[dict[str, Any]]:
        return self.workspace.api().list_conversions(self.group_id, self.publication_id)

    def _poll_failed(self, exc: BaseException) -> None:
        # Keep asking (on the next tick, even when nothing was running): a server that went
        # away for a moment picks up where it left off.
        self._poll_error = True
        set_message(self.notice, describe(exc), "bad")
        if not self.rows:
            self.empty.setText(RETRY_TEXT)
        self.poller.start()

    # --- showing ------------------------------------------------------------------------

    def _show(self, conversions: list[dict[str, Any]], live: bool = True) -> None:
        if live and self._poll_error:
            self._poll_error = False
            set_message(self.notice, "")  # the server answers again
        ended = False
        for row in self.rows.values():
            self.list_layout.removeWidget(row)
        kept: dict[int, ConversionRow] = {}
        for index, data in enumerate(conversions):
            conversion_id = int(data.get("id") or 0)
            row = self.rows.pop(conversion_id, None)
            if row is None:
                row = ConversionRow(self.list_widget)
                row.cancel_requested.connect(self.cancel)
            row.show_conversion(data, can_cancel=live)
            self.list_layout.insertWidget(index, row)
            # A layout shows a new child on a later event; show it now, so the row is on
            # screen in the same step its state is.
            row.show()
            kept[conversion_id] = row
            state = row.state
            if self._states.get(conversion_id) in RUNNING_STATES and state in FINAL_STATES:
                ended = True
            self._states[conversion_id] = state
        for stale in self.rows.values():
            stale.deleteLater()
        self.rows = kept
        self.empty.setText("This publication has no conversions yet." if not kept else "")
        self.empty.setVisible(not kept)
        if ended:
            # New pages and the cover arrive with the next sync.
            self.workspace.changed.emit(None)
        if live and any(row.state in RUNNING_STATES for row in kept.values()):
            self.poller.start()
        else:
            self.poller.stop()

    # --- cancelling ---------------------------------------------------------------------

    def cancel(self, conversion_id: int) -> None:
        if not ask_stop_conversion(self):
            return
        row = self.rows.get(conversion_id)
        if row is not None:
            row.cancel_button.setEnabled(False)
        group_id, pub_id = self.group_id, self.publication_id
        self.workspace.runner.run(
            lambda _context: self.workspace.api().cancel_conversion(
                group_id, pub_id, conversion_id
            ),
            name="cancel conversion",
            on_done=lambda _fetched: self.poller.poll_now(),
            on_error=self._open(self._cancel_failed),
        )

    def _cancel_failed(self, exc: BaseException) -> None:
        if isinstance(exc, StateConflictError):
            set_message(self.notice, "The conversion had already ended.")
        else:
            set_message(self.notice, f"It could not be stopped: {describe(exc)}", "bad")
        for row in self.rows.values():
            row.cancel_button.setEnabled(True)
        self.poller.poll_now()

    def done(self, result: int) -> None:
        self._open.closed = True
        self.poller.close()
        super().done(result)
