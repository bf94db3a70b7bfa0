"""The group's metatags and collections: list, add, rename, delete.

Deletes are safe: before one goes, the user sees which publications use it. A metatag in use
is force-deleted (unassigned everywhere) only after a confirmation naming them; a collection
that still holds publications is not deleted at all (the server would refuse it) and the
dialog says which publications to move first.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit

from app.mirror.library import ChangeSet, Item, Library
from app.ui.change_words import plural
from app.ui.entry_form import EntryForm, Errors
from app.ui.manager_dialog import ManagedRow, ManagerDialog
from app.ui.prompts import confirm, show_error

TITLES_SHOWN = 10


def titles_text(users: list[tuple[int, str]], limit: int = TITLES_SHOWN) -> str:
    """Titles for a message: "Spring, Summer, Autumn", or the first ten "and 12 more"."""
    titles = [title or f"Publication {pub_id}" for pub_id, title in users]
    shown = ", ".join(titles[:limit])
    return shown if len(titles) <= limit else f"{shown} and {len(titles) - limit} more"


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
