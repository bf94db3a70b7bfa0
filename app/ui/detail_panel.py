"""The selected publication's details on the right of the table: read-only facts at the top,
every writable field below, Save and Revert at the bottom.

Loading, saving, retrying and discarding run in workers. Edits land in the library at once
and go to the server at the next sync; when the server refuses one, its messages appear
next to the fields, with the user's values still in them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import NotFoundError
from app.mirror.library import ChangeSet, Item, OutboxView
from app.ui.detail_banner import RefusalBanner
from app.ui.detail_facts import PublicationFacts
from app.ui.detail_fields import Values, changed_fields, check_changes, stored_values
from app.ui.detail_form import PublicationForm, ask_to_save_edits
from app.ui.detail_operations import (
    DetailSnapshot,
    concerns_panel,
    discard_changes,
    fixable_refusals,
    load_snapshot,
    refused_field_errors,
    save_changes,
)
from app.ui.messages import describe, field_errors
from app.ui.prompts import show_error
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

CHOOSE_TEXT = "Select one publication in the list to see and edit its details here."


class DetailPanel(QWidget):
    """``conflicts_requested`` asks the window to open the conflict dialog; ``loaded(id)``
    fires each time the panel has (re)read a publication."""

    conflicts_requested = Signal()
    loaded = Signal(int)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.publication_id: int | None = None
        self.item: Item | None = None
        self._loaded_id: int | None = None  # whose values the form holds
        self._baseline: Values = {}
        self._generation = 0
        self._saving = False
        self._refusals: list[OutboxView] = []
        self._local_errors: dict[str, list[str]] = {}
        self._editing_refusal = False
        self._replace_form = False  # the next load overwrites unsaved edits (after a discard)

        self.facts = PublicationFacts(workspace.runner, workspace.paths.cache_dir / "covers")
        self.form = PublicationForm()
        self.banner = RefusalBanner()
        self.banner.hide()
        self._build()
        self.facts.conflicts_requested.connect(self.conflicts_requested)
        self.form.edited.connect(self._edited)
        self.banner.retry_clicked.connect(self._retry_clicked)
        self.banner.discard_clicked.connect(self.discard_refused)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)
        workspace.changed.connect(self._library_changed)
        self._update_buttons()

    def _build(self) -> None:
        self.placeholder = QLabel(CHOOSE_TEXT)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMargin(24)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(12, 12, 12, 12)
        body_layout.setSpacing(12)
        body_layout.addWidget(self.facts)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        body_layout.addWidget(line)
        body_layout.addWidget(self.form)
        body_layout.addStretch(1)
        # The form scrolls on its own so the banner and the buttons stay in sight.
        self.scroll = QScrollArea()
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.state_note = QLabel()
        self.revert_button = QPushButton("&Revert")
        self.revert_button.setToolTip("Undo the edits not saved yet")
        self.save_button = QPushButton("&Save")
        self.save_button.setToolTip(
            "Keep the changed fields; they are sent to the server at the next sync (Ctrl+S)"
        )
        self.save_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(12, 6, 12, 10)
        buttons.addWidget(self.state_note, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        banner_box = QVBoxLayout()
        banner_box.setContentsMargins(12, 10, 12, 0)
        banner_box.addWidget(self.banner)
        content_layout.addLayout(banner_box)
        content_layout.addWidget(self.scroll, 1)
        content_layout.addLayout(buttons)
        self.content = content

        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # --- the window's interface -----------------------------------------------------------

    def show_publication(self, publication_id: int | None) -> None:
        """Show this publication (None: nothing). Called again with the same id after a
        sync: unsaved edits stay in the form, the rest refreshes. For another id while the
        form holds unsaved edits, the user is asked first (``maybe_save``); on Cancel the
        panel keeps showing the edited publication (``publication_id`` says which)."""
        if publication_id != self.publication_id and not self.maybe_save():
            return
        if publication_id is None:
            self._generation += 1
            self.publication_id = None
            self._forget_form()
            self.placeholder.setText(CHOOSE_TEXT)
            self.stack.setCurrentWidget(self.placeholder)
            self._update_buttons()
            return
        if publication_id != self.publication_id:
            self.publication_id = publication_id
            # Until its values arrive, the form must not take edits meant for it.
            self.content.setEnabled(False)
        self._reload()

    def publication_adopted(self, old_id: int, new_id: int) -> None:
        """A publication created here got its server id: keep showing it (and any unsaved
        edits) under the new id. Call before ``show_publication(new_id)``."""
        if self.publication_id == old_id:
            self.publication_id = new_id
            if self._loaded_id == old_id:
                self._loaded_id = new_id

    def has_unsaved_changes(self) -> bool:
        return bool(self._dirty_values())

    def maybe_save(self) -> bool:
        """Before showing another publication or closing: True when it may go ahead.
        Unsaved edits are saved, discarded or kept (Cancel: False) as the user answers."""
        if not self.has_unsaved_changes():
            return True
        title = self.form.title.text().strip() or "this publication"
        answer = ask_to_save_edits(self, title)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.revert()
            return True
        return False

    # --- loading --------------------------------------------------------------------------

    def _reload(self) -> None:
        if self.publication_id is None:
            return
        self._generation += 1
        generation, publication_id = self._generation, self.publication_id
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: load_snapshot(library, publication_id),
            name="publication details",
            owner=self,
            on_done=lambda snapshot: self._loaded(generation, publication_id, snapshot),
            on_error=lambda exc: self._load_failed(generation, exc),
        )

    def _loaded(self, generation: int, publication_id: int, snapshot: DetailSnapshot) -> None:
        if generation != self._generation:
            return  # another publication, a newer load, or a save, came since
        same = self._loaded_id == publication_id and not self._replace_form
        kept = self._dirty_values() if same else {}
        self._replace_form = False
        self.item = snapshot.item
        self._loaded_id = publication_id
        self.facts.show_item(snapshot.item)
        self.form.set_choices(snapshot.metatags, snapshot.collections)
        self._baseline = stored_values(snapshot.item.data)
        self.form.set_values(self._baseline)
        self.form.set_values(kept, only=tuple(kept))
        if not same:
            self._local_errors = {}
            self._editing_refusal = False
            self.scroll.verticalScrollBar().setValue(0)
        self._show_refusals(snapshot.refusals)
        self.content.setEnabled(True)
        self.stack.setCurrentWidget(self.content)
        self._update_buttons()
        self.loaded.emit(publication_id)

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._forget_form()
        if isinstance(exc, NotFoundError):
            text = "This publication is no longer in the library (archived or discarded)."
        else:
            text = f"The publication's details could not be read: {describe(exc)}"
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self._update_buttons()

    def _forget_form(self) -> None:
        self.item = None
        self._loaded_id = None
        self._baseline = {}
        self._refusals = []
        self._local_errors = {}
        self._editing_refusal = False
        self.banner.hide()

    def _library_changed(self, change: ChangeSet | None) -> None:
        if self.publication_id is None or self._saving:
            return
        if concerns_panel(change, self.publication_id):
            self._reload()

    # --- editing --------------------------------------------------------------------------

    def _dirty_values(self) -> Values:
        if self._loaded_id is None or self._loaded_id != self.publication_id:
            return {}
        return changed_fields(self.form.values(), self._baseline)

    def _edited(self, name: str) -> None:
        self._local_errors.pop(name, None)
        self._show_errors()
        self._update_buttons()

    def _update_buttons(self) -> None:
        dirty = bool(self._dirty_values())
        resend = self._editing_refusal and bool(self._refusals)
        self.save_button.setEnabled(not self._saving and (dirty or resend))
        self.revert_button.setEnabled(not self._saving and dirty)
        if self._saving:
            self.state_note.setText("Saving…")
        elif dirty:
            self.state_note.setText("Unsaved changes")
        else:
            self.state_note.setText("")

    def _show_errors(self) -> None:
        errors = refused_field_errors(self._refusals, self._dirty_values())
        errors.update(self._local_errors)
        self.form.show_errors(errors)

    def _show_refusals(self, refusals: list[OutboxView]) -> None:
        if [r.id for r in refusals] != [r.id for r in self._refusals]:
            self._editing_refusal = False
        self._refusals = refusals
        self._show_errors()
        self.banner.show_refusals(refusals, editing=self._editing_refusal)

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> bool:
        """Check the changed fields and queue them (in a worker). False when nothing could
        be queued: a field is refused (its message shows beside it) or a save is running."""
        if self._saving or self._loaded_id is None or self._loaded_id != self.publication_id:
            return False
        values = self.form.values()
        changes = changed_fields(values, self._baseline)
        retry_ids = [entry.id for entry in self._refusals] if self._refusals else []
        if not changes and not (self._editing_refusal and retry_ids):
            return True
        errors = check_changes(changes, values)
        if errors:
            self._local_errors = errors
            self._show_errors()
            self.form.focus_field(next(iter(errors)))
            return False
        self._local_errors = {}
        publication_id = self._loaded_id
        library = self.workspace.library
        before = self._baseline
        # Counted as saved from now on, so moving to another publication asks nothing more.
        self._baseline = {**self._baseline, **changes}
        self._saving = True
        self._generation += 1  # a load that started before this save is out of date
        self._update_buttons()

        def work(_context: TaskContext) -> ChangeSet:
            return save_changes(library, publication_id, changes, retry_ids)

        self.workspace.runner.run(
            work,
            name="save publication",
            owner=self,
            on_done=self._saved,
            on_error=lambda exc: self._save_failed(publication_id, before, exc),
        )
        return True

    def _saved(self, change: ChangeSet) -> None:
        self._saving = False
        self._editing_refusal = False
        self._update_buttons()
        self.workspace.changed.emit(change)

    def _save_failed(self, publication_id: int, before: Values, exc: BaseException) -> None:
        self._saving = False
        if publication_id == self._loaded_id:
            self._baseline = before  # the form still holds the edits: unsaved again
            errors = field_errors(exc)
            if errors:
                self._local_errors = errors
                self._show_errors()
            else:
                show_error(self, "Changes not saved", describe(exc))
        else:
            show_error(self, "Changes not saved", describe(exc))
        self._update_buttons()
        self._reload()

    def revert(self) -> None:
        """Put the stored values back into the form."""
        if self._loaded_id is None:
            return
        self.form.set_values(self._baseline)
        self._local_errors = {}
        self._show_errors()
        self._update_buttons()

    # --- refused changes ------------------------------------------------------------------

    def _retry_clicked(self) -> None:
        fixable = fixable_refusals(self._refusals)
        if fixable:
            # The user corrects the marked fields; their next Save sends the change again.
            self._editing_refusal = True
            self.banner.set_editing(True)
            first = next(iter(fixable[0].field_errors or {}), "title")
            self.form.focus_field(first)
            self._update_buttons()
            return
        self._send_refused_again()

    def discard_refused(self) -> None:
        """Drop the refused changes: the form shows the server's version again."""
        if not self._refusals or self.publication_id is None:
            return
        publication_id, ids = self.publication_id, [e.id for e in self._refusals]
        library = self.workspace.library
        self._replace_form = True
        self.workspace.runner.run(
            lambda _context: discard_changes(library, publication_id, ids),
            name="discard refused change",
            owner=self,
            on_done=self.workspace.changed.emit,
            on_error=lambda exc: show_error(self, "Not discarded", describe(exc)),
        )

    def _send_refused_again(self) -> None:
        if self.publication_id is None:
            return
        publication_id, ids = self.publication_id, [e.id for e in self._refusals]
        library = self.workspace.library

        def work(_context: TaskContext) -> ChangeSet:
            return save_changes(library, publication_id, {}, ids)

        self.workspace.runner.run(
            work,
            name="retry refused change",
            owner=self,
            on_done=self.workspace.changed.emit,
            on_error=lambda exc: show_error(self, "Not sent again", describe(exc)),
        )
