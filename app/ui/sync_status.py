"""The status bar's sync part: connection, last sync, pending changes and conflicts."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.mirror.library import MirrorStatus
from app.mirror.sync import SyncReport, SyncStatus

STATUS_TEXT = {
    SyncStatus.OK: "online",
    SyncStatus.OFFLINE: "offline",
    SyncStatus.KEY_REVOKED: "key refused",
    SyncStatus.CANCELLED: "sync cancelled",
    SyncStatus.ERROR: "sync failed",
    SyncStatus.BUSY: "syncing elsewhere",
}
PHASES = {"push": "Sending changes", "pull": "Receiving changes"}


def _local_time(stamp: str | None) -> str:
    if not stamp:
        return "never"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return (
        moment.strftime("%H:%M")
        if moment.date() == datetime.now().date()
        else moment.strftime("%d %b %H:%M")
    )


class SyncStatusWidget(QWidget):
    """Clicking the conflicts button opens the conflict dialog; the sync button syncs."""

    conflicts_clicked = Signal()
    sync_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection = QLabel("connecting…")
        self.last_sync = QLabel("")
        self.pending = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(16)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.conflicts = QPushButton("")
        self.conflicts.setFlat(True)
        self.conflicts.setToolTip("Changed here and on the server: choose which version to keep")
        self.conflicts.hide()
        self.conflicts.clicked.connect(self.conflicts_clicked)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setFlat(True)
        self.sync_button.setToolTip("Send local changes and fetch the server's (F5)")
        self.sync_button.clicked.connect(self.sync_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        for widget in (
            self.progress,
            self.connection,
            self.last_sync,
            self.pending,
            self.conflicts,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.sync_button)

    def set_connecting(self, where: str) -> None:
        self.connection.setText(f"◌ connecting to {where}…")

    def set_connection_failed(self, message: str) -> None:
        self.connection.setText("● offline")
        self.connection.setStyleSheet("color: #c62828;")
        self.connection.setToolTip(message)

    def sync_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.sync_button.setText("Cancel sync")
        self.sync_button.setToolTip("Stop this sync; what it already did is kept")

    def sync_progress(self, phase: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setToolTip(f"{PHASES.get(phase, phase)}: {done:,} of {total:,}")

    def sync_finished(self, report: SyncReport) -> None:
        self.progress.hide()
        self.sync_button.setText("Sync now")
        self.sync_button.setToolTip("Send local changes and fetch the server's (F5)")
        text = STATUS_TEXT.get(report.status, report.status.value)
        good = report.status is SyncStatus.OK
        self.connection.setText(f"● {text}")
        self.connection.setStyleSheet("color: #2e7d32;" if good else "color: #c62828;")
        self.connection.setToolTip(report.message or "Connected; the last sync went through")

    def show_status(self, status: MirrorStatus) -> None:
        self.last_sync.setText(f"Last sync: {_local_time(status.last_sync_at)}")
        waiting = status.pending - status.conflicts - status.failed
        parts = (
            [f"{waiting:,} change{'s' if waiting != 1 else ''} to send"]
            if waiting
            else ["all changes sent"]
        )
        if status.failed:
            parts.append(f"{status.failed:,} refused")
        self.pending.setText(" · ".join(parts))
        self.conflicts.setVisible(status.conflicts > 0)
        self.conflicts.setText(
            f"⚠ {status.conflicts} conflict{'s' if status.conflicts != 1 else ''}"
        )
        self.conflicts.setStyleSheet("color: #c62828; font-weight: bold;")
