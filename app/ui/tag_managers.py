"""The group's metatags and collections: list, add, rename, delete.

Deletes are safe: before one goes, the user sees which publications use it. A metatag in use
is force-deleted (unassigned everywhere) only after a confirmation naming them; a collection
that still holds publications is not deleted at all (the server would refuse it) and the
dialog says which publications to move first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.mirror.library import ChangeSet, Item, Library
from app.ui.messages import describe, field_errors
from app.ui.outbox_dialog import ERROR_COLOR, plural, sync_finished_signal
from app.ui.prompts import confirm, show_error
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

Errors = dict[str, list[str]]
TITLES_SHOWN = 10


@dataclass(frozen=True)
class ManagedRow:
    """One metatag or collection as the list shows it."""

    id: int
    data: dict[str, Any]
    pending: bool
    conflict: bool
    sync_error: str | None
    used_by: int


@dataclass(frozen=True)
class ManagerSnapshot:
    group_title: str
    rows: list[ManagedRow]


def titles_text(users: list[tuple[int, str]], limit: int = TITLES_SHOWN) -> str:
    """Titles for a message: "Spring, Summer, Autumn", or the first ten "and 12 more"."""
    titles = [title or f"Publication {pub_id}" for pub_id, title in users]
    shown = ", ".join(titles[:limit])
    return shown if len(titles) <= limit else f"{shown} and {len(titles) - limit} more"


def sync_marker(row: ManagedRow) -> tuple[str, str]:
    """(text, tooltip) of the Sync column, as the publications table words it."""
    if row.conflict:
        return "⚠ conflict", "Changed here and on the server: open Sync > Conflicts to choose"
    if row.sync_error:
        return "✖ refused", f"The server refused the last change: {row.sync_error}"
    if row.id < 0:
        return "● waiting to sync", "Created here; sent to the server at the next sync"
    if row.pending:
        return "● waiting to sync", "Changed here; sent to the server at the next sync"
    return "", ""


class EntryForm(QDialog):
    """A small form for one metatag or collection. OK checks the values with ``check``, then
    hands them to ``submit``; the form closes when the change landed (``finish``) or shows
    why it didn't (``show_errors``), keeping what the user typed."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        action: str,
        fields: list[tuple[str, str, QLineEdit | QComboBox]],
        check: Callable[[dict[str, str]], Errors],
        submit: Callable[[dict[str, str]], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("entry-form")
        self.setWindowTitle(title)
        self.check = check
        self.submit = submit
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.error_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, widget in fields:
            widget.setMinimumWidth(260)
            caption = QLabel(label)
            caption.setBuddy(widget)
            error = _error_label()
            form.addRow(caption, widget)
            form.addRow("", error)
            self.inputs[name] = widget
            self.error_labels[name] = error
        self.general_error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def values(self) -> dict[str, str]:
        return {
            name: (w.currentText() if isinstance(w, QComboBox) else w.text()).strip()
            for name, w in self.inputs.items()
        }

    def accept(self) -> None:
        values = self.values()
        errors = self.check(values)
        self.show_errors(errors)
        if not errors:
            self.ok_button.setEnabled(False)
            self.submit(values)

    def show_errors(self, errors: Errors) -> None:
        self.ok_button.setEnabled(True)
        general = []
        for name, label in self.error_labels.items():
            label.setText("; ".join(_sentence(m) for m in errors.get(name, [])))
            label.setVisible(bool(label.text()))
        for name, messages in errors.items():
            if name not in self.error_labels:
                general.extend(_sentence(m) for m in messages)
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))
        for name, widget in self.inputs.items():
            if errors.get(name):
                widget.setFocus()
                break

    def finish(self) -> None:
        super().accept()


def _sentence(message: str) -> str:
    """The server words field errors Rails-style ("can't be blank"); under a field they
    read as a sentence."""
    return message[:1].upper() + message[1:] if message else message


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setWordWrap(True)
    label.hide()
    return label


class ManagerDialog(QDialog):
    """The list, its buttons and the loading; subclasses say what the items are."""

    noun = "item"
    headers: tuple[str, ...] = ()
    stretch_column = 0
    intro = ""

    # After each read of the list (tests wait for it; the dialog needs nothing else).
    loaded = Signal()

    def __init__(self, workspace: Workspace, group_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.group_id = group_id
        self.rows: list[ManagedRow] = []
        self.form: EntryForm | None = None
        self._generation = 0
        self._select_after: int | None = None
        self.setObjectName(f"{self.noun}-manager")
        self.setWindowTitle(f"{self.noun.capitalize()}s")

        intro = QLabel(self.intro)
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.headers))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 4px; }")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(90)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.stretch_column, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_args: self.edit_selected())
        self.status = QLabel("Loading…")
        self.status.setWordWrap(True)

        self.add_button = QPushButton("&Add…")
        self.add_button.setToolTip(f"Create a {self.noun} in this group")
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("&Rename…")
        self.edit_button.setToolTip(f"Change the chosen {self.noun} (or double-click it)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setToolTip(
            f"Delete the chosen {self.noun}; you see first which publications use it"
        )
        self.delete_button.clicked.connect(self.delete_selected)
        side = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            side.addWidget(button)
        side.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.tree, 1)
        middle.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(620, 420)
        self._selection_changed()

        self._sync_finished = sync_finished_signal(parent)
        if self._sync_finished is not None:
            self._sync_finished.connect(self._after_sync)
        self.reload()

    # --- what subclasses say ---------------------------------------------------------------

    def _items(self, library: Library) -> list[Item]:
        raise NotImplementedError

    def _using(self, library: Library, item_id: int) -> list[tuple[int, str]]:
        raise NotImplementedError

    def _cells(self, row: ManagedRow) -> list[str]:
        raise NotImplementedError

    def _sort_key(self, row: ManagedRow) -> tuple[str, ...]:
        raise NotImplementedError

    def _make_form(self, row: ManagedRow | None) -> EntryForm:
        raise NotImplementedError

    def _ask_delete(self, row: ManagedRow, users: list[tuple[int, str]]) -> None:
        raise NotImplementedError

    def name_of(self, row: ManagedRow) -> str:
        raise NotImplementedError

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again in a worker; an older read that ends later is dropped."""
        self._generation += 1
        generation = self._generation
        library = self.workspace.library
        group_id = self.group_id

        def load(_context: TaskContext) -> ManagerSnapshot:
            title = next(
                (str(g.data.get("title", "")) for g in library.groups() if g.id == group_id),
                f"Group {group_id}",
            )
            rows = [
                ManagedRow(
                    item.id,
                    item.data,
                    item.pending,
                    item.conflict,
                    item.sync_error,
                    len(self._using(library, item.id)),
                )
                for item in self._items(library)
            ]
            return ManagerSnapshot(title, rows)

        self.workspace.runner.run(
            load,
            name=f"{self.noun}s",
            on_done=lambda snapshot: self._loaded(generation, snapshot),
            on_error=lambda exc: self._load_failed(generation, exc),
        )

    def _after_sync(self, _report: object) -> None:
        # A sync gives items created here their server ids: the list must know them.
        if self.isVisible():
            self.reload()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._say(f"The {self.noun}s could not be read: {describe(exc)}", error=True)
            self.loaded.emit()

    def _loaded(self, generation: int, snapshot: ManagerSnapshot) -> None:
        if generation != self._generation:
            return
        chosen = self._select_after if self._select_after is not None else self.selected_id()
        self._select_after = None
        self.setWindowTitle(f"{self.noun.capitalize()}s of {snapshot.group_title}")
        self.rows = sorted(snapshot.rows, key=self._sort_key)
        self.tree.clear()
        for row in self.rows:
            item = QTreeWidgetItem([*self._cells(row), *sync_marker(row)[:1]])
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            marker_column = len(self.headers) - 1
            item.setToolTip(marker_column, sync_marker(row)[1])
            item.setTextAlignment(marker_column - 1, Qt.AlignmentFlag.AlignCenter)
            if row.conflict or row.sync_error:
                item.setForeground(marker_column, QBrush(QColor(ERROR_COLOR)))
            self.tree.addTopLevelItem(item)
            if row.id == chosen:
                item.setSelected(True)
                self.tree.setCurrentItem(item)
        if self.rows:
            self._say(f"{plural(len(self.rows), self.noun)} in this group.")
        else:
            self._say(f"This group has no {self.noun}s yet: add one with Add.")
        self._selection_changed()
        self.loaded.emit()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")

    # --- selection ---------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        items = self.tree.selectedItems()
        return int(items[0].data(0, Qt.ItemDataRole.UserRole)) if items else None

    def selected_row(self) -> ManagedRow | None:
        chosen = self.selected_id()
        return next((row for row in self.rows if row.id == chosen), None)

    def select(self, item_id: int) -> None:
        for number in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(number)
            if item.data(0, Qt.ItemDataRole.UserRole) == item_id:
                self.tree.setCurrentItem(item)
                item.setSelected(True)

    def _selection_changed(self) -> None:
        some = self.selected_id() is not None
        self.edit_button.setEnabled(some)
        self.delete_button.setEnabled(some)

    # --- adding and editing --------------------------------------------------------------------

    def add(self) -> None:
        self._open_form(None)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open_form(row)

    def _open_form(self, row: ManagedRow | None) -> None:
        if self.form is not None:
            self.form.close()
        self.form = self._make_form(row)
        self.form.open()

    def _land(self, form: EntryForm, change: Callable[[Library], ChangeSet]) -> None:
        """Make the change in a worker; the form closes once it landed."""
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: change(library),
            name=f"save {self.noun}",
            on_done=lambda result: self._landed(form, result),
            on_error=lambda exc: form.show_errors(field_errors(exc) or {"": [describe(exc)]}),
        )

    def _landed(self, form: EntryForm, change: ChangeSet) -> None:
        form.finish()
        self._changed(change, change.ids[0] if change.ids else None)

    def _changed(self, change: ChangeSet | None, select: int | None = None) -> None:
        self._select_after = select
        self.workspace.changed.emit(change)
        self.reload()

    # --- deleting -------------------------------------------------------------------------------

    def delete_selected(self) -> None:
        """Find out who uses it (in a worker), then ask."""
        row = self.selected_row()
        if row is None:
            return
        library = self.workspace.library
        self.delete_button.setEnabled(False)
        self.workspace.runner.run(
            lambda _context: self._using(library, row.id),
            name=f"{self.noun} users",
            on_done=lambda users: self._ask_delete_then_enable(row, users),
            on_error=lambda exc: self._failed("Delete", exc),
        )

    def _ask_delete_then_enable(self, row: ManagedRow, users: list[tuple[int, str]]) -> None:
        self._selection_changed()
        self._ask_delete(row, users)

    def _delete(self, change: Callable[[Library], ChangeSet | None]) -> None:
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: change(library),
            name=f"delete {self.noun}",
            on_done=self._changed,
            on_error=lambda exc: self._failed("Delete", exc),
        )

    def _failed(self, label: str, exc: BaseException) -> None:
        self._selection_changed()
        show_error(self, f"{label} {self.noun}", describe(exc))
        self.reload()

    def done(self, result: int) -> None:
        if self._sync_finished is not None:
            self._sync_finished.disconnect(self._after_sync)
            self._sync_finished = None
        super().done(result)


class MetatagManager(ManagerDialog):
    noun = "metatag"
    headers = ("Category", "Value", "Publications", "Sync")
    stretch_column = 1
    intro = (
        "Metatags label publications as category: value (for example season: summer), so "
        "readers can filter them. Changes reach the server at the next sync."
    )

    def _items(self, library: Library) -> list[Item]:
        return library.metatags(self.group_id)

    def _using(self, library: Library, item_id: int) -> list[tuple[int, str]]:
        return library.publications_using(metatag_id=item_id)

    def _cells(self, row: ManagedRow) -> list[str]:
        return [str(row.data.get("category", "")), str(row.data.get("value", "")), str(row.used_by)]

    def _sort_key(self, row: ManagedRow) -> tuple[str, ...]:
        return (str(row.data.get("category", "")).lower(), str(row.data.get("value", "")).lower())

    def name_of(self, row: ManagedRow) -> str:
        return f"{row.data.get('category', '')}: {row.data.get('value', '')}"

    def _check(self, values: dict[str, str], editing: ManagedRow | None) -> Errors:
        errors: Errors = {
            name: [f"Enter a {name}."] for name in ("category", "value") if not values[name]
        }
        clash = any(
            row.data.get("category") == values["category"]
            and row.data.get("value") == values["value"]
            and (editing is None or row.id != editing.id)
            for row in self.rows
        )
        if clash and not errors:
            errors["value"] = [
                f"“{values['value']}” already exists in category “{values['category']}”."
            ]
        return errors

    def _make_form(self, row: ManagedRow | None) -> EntryForm:
        category = QComboBox()
        category.setEditable(True)
        category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        category.addItems(sorted({str(r.data.get("category", "")) for r in self.rows}))
        category.setToolTip("Pick a category used already, or type a new one")
        value = QLineEdit()
        value.setPlaceholderText("for example summer")
        if row is None:
            category.setEditText("")
            category.lineEdit().setPlaceholderText("for example season")
        else:
            category.setEditText(str(row.data.get("category", "")))
            value.setText(str(row.data.get("value", "")))

        def submit(values: dict[str, str]) -> None:
            if row is None:
                self._land(
                    form,
                    lambda library: library.create_metatag(
                        self.group_id, values["category"], values["value"]
                    ),
                )
                return
            changes = {k: v for k, v in values.items() if row.data.get(k) != v}
            if not changes:
                form.finish()
                return
            self._land(form, lambda library: library.update_metatag(row.id, changes))

        form = EntryForm(
            self,
            "New metatag" if row is None else f"Rename metatag “{self.name_of(row)}”",
            "&Add" if row is None else "&Save",
            [("category", "&Category:", category), ("value", "&Value:", value)],
            lambda values: self._check(values, row),
            submit,
        )
        return form

    def _ask_delete(self, row: ManagedRow, users: list[tuple[int, str]]) -> None:
        name = self.name_of(row)
        if users:
            text = (
                f"Delete the metatag “{name}”?\n\n"
                f"Used by {plural(len(users), 'publication')}: {titles_text(users)}.\n\n"
                f"Deleting it removes it from {'it' if len(users) == 1 else 'all of them'}."
            )
            action = f"Delete and remove from {plural(len(users), 'publication')}"
        else:
            text = f"Delete the metatag “{name}”? No publication uses it."
            action = "Delete"
        if confirm(self, "Delete metatag", text, action):
            # Force only what the user saw in use; if someone assigned it on the server since,
            # the server refuses and the change waits under Sync > Waiting changes.
            self._delete(lambda library: _delete_metatag(library, row.id, bool(users)))


def _delete_metatag(library: Library, metatag_id: int, force: bool) -> ChangeSet | None:
    change = library.delete_metatag(metatag_id, force=force)
    # Publications lose the tag too: every view refreshes, not only the metatag's.
    return None if force else change


class CollectionManager(ManagerDialog):
    noun = "collection"
    headers = ("Title", "Publications", "Sync")
    intro = (
        "Collections gather publications of this group, for example one per season. "
        "Changes reach the server at the next sync."
    )

    def _items(self, library: Library) -> list[Item]:
        return library.collections(self.group_id)

    def _using(self, library: Library, item_id: int) -> list[tuple[int, str]]:
        return library.publications_using(collection_id=item_id)

    def _cells(self, row: ManagedRow) -> list[str]:
        return [self.name_of(row), str(row.used_by)]

    def _sort_key(self, row: ManagedRow) -> tuple[str, ...]:
        return (self.name_of(row).lower(),)

    def name_of(self, row: ManagedRow) -> str:
        return str(row.data.get("title", ""))

    def _make_form(self, row: ManagedRow | None) -> EntryForm:
        title = QLineEdit()
        title.setPlaceholderText("for example Summer 2026")
        if row is not None:
            title.setText(self.name_of(row))

        def submit(values: dict[str, str]) -> None:
            if row is None:
                self._land(
                    form, lambda library: library.create_collection(self.group_id, values["title"])
                )
            elif values["title"] == self.name_of(row):
                form.finish()
            else:
                self._land(
                    form,
                    lambda library: library.update_collection(row.id, {"title": values["title"]}),
                )

        form = EntryForm(
            self,
            "New collection" if row is None else f"Rename collection “{self.name_of(row)}”",
            "&Add" if row is None else "&Save",
            [("title", "&Title:", title)],
            lambda values: {} if values["title"] else {"title": ["Enter a title."]},
            submit,
        )
        return form

    def _ask_delete(self, row: ManagedRow, users: list[tuple[int, str]]) -> None:
        name = self.name_of(row)
        if users:
            # The server refuses to delete a collection that holds publications: say so now,
            # and offer nothing that would take them out behind the user's back.
            show_error(
                self,
                "Collection not empty",
                f"“{name}” can't be deleted: it still holds "
                f"{plural(len(users), 'publication')}: {titles_text(users)}.\n\n"
                f"Move {'it' if len(users) == 1 else 'them'} to another collection (or to none) "
                "first, then delete the collection.",
                "\n".join(title for _id, title in users) if len(users) > TITLES_SHOWN else None,
            )
            return
        if confirm(
            self,
            "Delete collection",
            f"Delete the collection “{name}”? It holds no publications.",
            "Delete",
        ):
            self._delete(lambda library: library.delete_collection(row.id))
