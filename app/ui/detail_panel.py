"""The publication's details on the right of the table (interface for the full panel)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.workspace import Workspace


class DetailPanel(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.publication_id: int | None = None
        self.title = QLabel("Choose a publication")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addStretch(1)

    def show_publication(self, publication_id: int | None) -> None:
        self.publication_id = publication_id
        self.title.setText(
            "Choose a publication" if publication_id is None else str(publication_id)
        )

    def has_unsaved_changes(self) -> bool:
        return False

    def maybe_save(self) -> bool:
        """Before showing another publication: True when it may go ahead."""
        return True
