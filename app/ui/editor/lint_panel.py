"""The editor's list of problems with the hotspots: the checks of ``app.core.hotspot_lint`` over
the current hotspots, re-run shortly after each change, with a row a finding that takes the
designer to its hotspot.

A finding that makes saving impossible (a missing SKU, address or page, a hotspot with no
area) is marked as an error; the rest are warnings a designer may choose to publish with.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core.hotspot_lint import LintFinding, blocks_saving, lint_hotspots
from app.ui.editor.editing import HotspotEditor
from app.ui.live_status import set_message

RELINT_DELAY_MS = 150  # a drag changes the model on every mouse move: check once it pauses
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class _Entry:
    finding: LintFinding
    key: int
    """The EditorHotspot the finding is about."""
    blocking: bool


def count_text(total: int, blocking: int) -> str:
    """The header line: how many problems, and how many of them stop saving."""
    if total == 0:
        return "No problems found"
    text = f"{total} problem{'s' if total != 1 else ''}"
    if blocking:
        text += f", {blocking} {'stops' if blocking == 1 else 'stop'} saving"
    return text


class LintPanel(QWidget):
    """``jump_requested(key)`` fires when the user picks a finding (click or Enter); the
    hotspot is selected in the editor too, and the window scrolls the canvas to it.
    ``refreshed`` fires after each check, so views that mark flagged hotspots can follow
    without asking for ``findings()`` (which checks at once) on every change."""

    jump_requested = Signal(int)
    refreshed = Signal()

    def __init__(self, editor: HotspotEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.model = editor.model
        self._known_skus: Collection[str] | None = None
        self._entries: list[_Entry] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RELINT_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

        self.header = QLabel()
        bold = QFont(self.header.font())
        bold.setBold(True)
        self.header.setFont(bold)  # not a style sheet: set_message owns that for the colour
        self.note = QLabel("The hotspots are checked again after each change.")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)  # the palette's quieter text colour
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setAccessibleName("Problems with the hotspots")
        self.list.itemClicked.connect(self._picked)
        self.list.itemActivated.connect(self._picked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        layout.addWidget(self.header)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addStretch(0)  # takes the room while the list is hidden

        self.model.changed.connect(self._schedule)
        self.model.pages_changed.connect(self._schedule)
        self.refresh()

    # --- the window's interface -----------------------------------------------------------

    def set_catalogue(self, known_skus: Collection[str] | None) -> None:
        """The catalogue's SKUs (a SKU -> title mapping will do); None: no catalogue known,
        so SKUs are not checked."""
        self._known_skus = known_skus
        self.refresh()

    def findings(self) -> list[LintFinding]:
        """The findings for the hotspots as they are now (a check still waiting runs first)."""
        if self._timer.isActive():
            self.refresh()
        return [entry.finding for entry in self._entries]

    def blocking(self) -> list[LintFinding]:
        """The findings that make saving impossible."""
        self.findings()
        return [entry.finding for entry in self._entries if entry.blocking]

    def key_of(self, finding: LintFinding) -> int | None:
        """The key of the EditorHotspot ``finding`` is about (from ``findings()``)."""
        return next((e.key for e in self._entries if e.finding == finding), None)

    def flagged_keys(self) -> set[int]:
        """The keys of the hotspots with a finding, as of the last check."""
        return {entry.key for entry in self._entries}

    def refresh(self) -> None:
        """Check the hotspots now."""
        self._timer.stop()
        state = self.model.state
        hotspots = [item.hotspot for item in state]
        findings = lint_hotspots(
            hotspots, self.model.boxes(), self.model.page_count, self._known_skus
        )
        self._entries = [
            _Entry(f, state[f.index].key, blocks_saving(f, hotspots[f.index])) for f in findings
        ]
        self._show()
        self.refreshed.emit()

    # --- showing --------------------------------------------------------------------------

    def _schedule(self, _changed: object = None) -> None:
        self._timer.start()

    def _show(self) -> None:
        blocking = sum(entry.blocking for entry in self._entries)
        tone = "good" if not self._entries else "bad" if blocking else ""
        set_message(self.header, count_text(len(self._entries), blocking), tone)
        current = self.list.currentItem()
        chosen = current.data(KEY_ROLE) if current is not None else None
        style = self.style()
        error_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.list.clear()
        keep: QListWidgetItem | None = None
        for entry in self._entries:
            item = QListWidgetItem(f"p. {entry.finding.page}   {entry.finding.message}")
            item.setIcon(error_icon if entry.blocking else warning_icon)
            item.setData(KEY_ROLE, entry.key)
            severity = "Stops saving" if entry.blocking else "Warning"
            item.setToolTip(f"{severity}: {entry.finding.message}\nClick to show the hotspot.")
            self.list.addItem(item)
            if keep is None and entry.key == chosen:
                keep = item
        if keep is not None:
            self.list.setCurrentItem(keep)  # the row the user was on stays chosen
        else:
            # Qt makes the first row added current, which reads as chosen: none is.
            self.list.selectionModel().clearCurrentIndex()
        self.list.setVisible(bool(self._entries))
        self.note.setVisible(not self._entries)

    def _picked(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        if isinstance(key, int) and self.model.get(key) is not None:
            self.editor.select([key])
            self.jump_requested.emit(key)
