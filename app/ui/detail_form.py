"""The editable half of the detail panel: one input for every writable publication field,
with the refusal of each shown under it, and the question asked before unsaved edits would
be left behind."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from app.core.enums import LayoutType
from app.core.languages import LANGUAGES
from app.mirror.library import Item
from app.ui.detail_fields import (
    EDITED_FIELDS,
    Values,
    full_message,
    normalized_moment,
    optional_text,
)
from app.ui.detail_inputs import FieldBox, OptionalDateEdit
from app.ui.metatag_chips import MetatagChips
from app.ui.schedule_edit import ScheduleEdit

LAYOUT_NAMES = {
    LayoutType.BOOKLET.value: "Booklet (cover alone, then pairs)",
    LayoutType.SINGLE.value: "Single pages",
}


def _heading(text: str, *, first: bool = False) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    if not first:
        label.setContentsMargins(0, 10, 0, 0)  # a gap between sections
    return label


def _narrow(combo: QComboBox) -> QComboBox:
    """Long collection or metatag names must not widen the panel; the popup shows them."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    return combo


def _select_data(combo: QComboBox, value: object, missing: str) -> None:
    """Select the item carrying ``value``; a value the list lacks gets an item of its own,
    so what is stored is never silently replaced by another choice."""
    index = combo.findData(value)
    if index < 0:
        combo.addItem(missing, value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def ask_to_save_edits(parent: QWidget, title: str) -> int:
    """Save, Discard or Cancel (the ``QMessageBox.StandardButton`` chosen) for the unsaved
    edits of the publication ``title``."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Unsaved changes",
        f"Save your changes to “{title}”?",
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText("If you don't save them, your edits are lost.")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setObjectName("folio-unsaved")
    return box.exec()


class PublicationForm(QWidget):
    """``values()`` holds the form's fields in the shape of ``stored_values``; ``edited(name)``
    fires when the user changes a field."""

    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._build_inputs()
        self.boxes: dict[str, FieldBox] = {}
        # One form for all sections, so every field lines up under the same label column;
        # a row too wide for a narrow panel moves under its label.
        self.layout_form = QFormLayout(self)
        form = self.layout_form
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        form.addRow(_heading("Publication", first=True))
        self._row("&Title", "title", self.title)
        self._row("Sl&ug", "slug", self.slug, "Letters a-z, digits, - and _")
        self._row("&Language", "language", self.language)
        self._row("La&yout", "layout_type", self.layout_type)
        form.addRow(_heading("Search engines"))
        self._row("&Browser title", "browser_title", self.browser_title)
        self._row("&Description", "description", self.description)
        form.addRow(_heading("Metatags and collection"))
        self._row("&Metatags", "metatag_ids", self.metatags, buddy=self.metatags.picker)
        self._row(
            "Cate&gory",
            "metatags_category",
            self.category,
            "Adds all of the category's metatags",
        )
        self._row("&Collection", "collection_id", self.collection)
        form.addRow(_heading("Dates"))
        self._row("&Valid from", "valid_from", self.valid_from, buddy=self.valid_from.enabled)
        self._row("Put &online at", "schedule_online_at", self.online, buddy=self.online.enabled)
        self._row(
            "Take o&ffline at", "schedule_offline_at", self.offline, buddy=self.offline.enabled
        )
        self._connect()

    def _build_inputs(self) -> None:
        self.title = QLineEdit()
        self.title.setToolTip("The publication's title, shown to readers")
        self.slug = QLineEdit()
        self.slug.setToolTip("Unique in the group; lower-case letters, digits, - and _")
        self.language = QComboBox()
        self.language.addItem("Not set", None)
        for code, name in sorted(LANGUAGES.items(), key=lambda pair: pair[1]):
            self.language.addItem(f"{name} ({code})", code)
        self.language.setToolTip("The language readers see the viewer in")
        self.layout_type = QComboBox()
        for value, name in LAYOUT_NAMES.items():
            self.layout_type.addItem(name, value)
        self.layout_type.setToolTip("How pages pair into spreads; a change re-lays the spreads")
        self.browser_title = QLineEdit()
        self.browser_title.setPlaceholderText("The title, when left empty")
        self.browser_title.setToolTip("The title in the browser tab and in search results")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setToolTip("The description search engines show")
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.metatags = MetatagChips()
        self.category = _narrow(QComboBox())
        self.category.setToolTip(
            "Assigns all of the group's metatags in this category (sent with the metatags above)"
        )
        self.collection = _narrow(QComboBox())
        self.collection.setToolTip("The collection of the group this publication belongs to")
        self.valid_from = OptionalDateEdit()
        self.valid_from.enabled.setToolTip("Set a date")
        self.valid_from.setToolTip(
            "The date the publication is valid from: descriptive, readers see no change"
        )
        self.online = ScheduleEdit("")
        self.online.setToolTip("The server puts the publication online at this time")
        self.offline = ScheduleEdit("")
        self.offline.setToolTip("The server takes the publication offline at this time")
        for edit, what in ((self.online, "online"), (self.offline, "offline")):
            edit.enabled.setAccessibleName(f"Schedule {what}")
            edit.enabled.setToolTip(f"Schedule a time to go {what}")
            edit.zone.setWordWrap(True)  # a long zone name must not widen the panel

    def _row(
        self,
        label_text: str,
        name: str,
        field: QWidget,
        hint: str = "",
        buddy: QWidget | None = None,
    ) -> None:
        box = FieldBox(field, hint)
        self.boxes[name] = box
        label = QLabel(label_text)
        label.setBuddy(buddy or field)
        self.layout_form.addRow(label, box)

    def _connect(self) -> None:
        signals = {
            "title": self.title.textEdited,
            "slug": self.slug.textEdited,
            "language": self.language.currentIndexChanged,
            "layout_type": self.layout_type.currentIndexChanged,
            "browser_title": self.browser_title.textEdited,
            "description": self.description.textChanged,
            "metatag_ids": self.metatags.changed,
            "metatags_category": self.category.currentIndexChanged,
            "collection_id": self.collection.currentIndexChanged,
            "valid_from": self.valid_from.changed,
            "schedule_online_at": self.online.changed,
            "schedule_offline_at": self.offline.changed,
        }
        for name, signal in signals.items():
            signal.connect(lambda *_args, name=name: self._edited(name))

    def _edited(self, name: str) -> None:
        if not self._loading:
            self.edited.emit(name)

    # --- filling and reading ----------------------------------------------------------

    def set_choices(self, metatags: list[Item], collections: list[Item]) -> None:
        """The group's metatags and collections. The category and collection chosen before
        are gone: ``set_values`` follows."""
        self._loading = True
        try:
            self.metatags.set_choices(metatags)
            categories = sorted(
                {str(m.data.get("category") or "") for m in metatags} - {""}, key=str.lower
            )
            self.category.clear()
            self.category.addItem("None", None)
            for category in categories:
                self.category.addItem(category, category)
            self.collection.clear()
            self.collection.addItem("No collection", None)
            for item in sorted(collections, key=lambda c: str(c.data.get("title", "")).lower()):
                title = str(item.data.get("title") or f"Collection {item.id}")
                self.collection.addItem(title, item.id)
        finally:
            self._loading = False

    def set_values(self, values: Values, only: tuple[str, ...] = EDITED_FIELDS) -> None:
        """Show ``values`` (the shape of ``stored_values``) without counting it as an edit."""
        self._loading = True
        try:
            for name in only:
                if name in values:
                    self._set(name, values[name])
        finally:
            self._loading = False

    def _set(self, name: str, value: object) -> None:
        if name in ("title", "slug", "browser_title"):
            line: QLineEdit = getattr(self, name)
            line.setText(str(value or ""))
            line.setCursorPosition(0)
        elif name == "description":
            self.description.setPlainText(str(value or ""))
        elif name == "language":
            _select_data(self.language, value, f"Unknown ({value})")
        elif name == "layout_type":
            _select_data(self.layout_type, value, str(value))
        elif name == "metatag_ids":
            self.metatags.set_ids(list(value) if isinstance(value, list) else [])
        elif name == "metatags_category":
            _select_data(self.category, value, str(value))
        elif name == "collection_id":
            _select_data(self.collection, value, f"Collection {value}")
        elif name == "valid_from":
            self.valid_from.set_value(value if isinstance(value, str) else None)
        elif name in ("schedule_online_at", "schedule_offline_at"):
            edit = self.online if name == "schedule_online_at" else self.offline
            edit.set_value(value if isinstance(value, str) else None)

    def values(self) -> Values:
        return {
            "title": self.title.text().strip(),
            "slug": self.slug.text().strip(),
            "language": self.language.currentData(),
            "layout_type": self.layout_type.currentData(),
            "browser_title": optional_text(self.browser_title.text()),
            "description": optional_text(self.description.toPlainText()),
            "metatag_ids": sorted(self.metatags.ids()),
            "metatags_category": self.category.currentData(),
            "collection_id": self.collection.currentData(),
            "valid_from": self.valid_from.value(),
            "schedule_online_at": normalized_moment(self.online.value()),
            "schedule_offline_at": normalized_moment(self.offline.value()),
        }

    # --- errors ---------------------------------------------------------------------

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Each field's messages under it; returns the messages no field of the form owns."""
        elsewhere: list[str] = []
        for name, box in self.boxes.items():
            messages = errors.get(name) or []
            box.set_error("\n".join(full_message(name, m) for m in messages) or None)
        for name, messages in errors.items():
            if name not in self.boxes:
                elsewhere.extend(full_message(name, m) for m in messages)
        return elsewhere

    def focus_field(self, name: str) -> None:
        box = self.boxes.get(name)
        if box is None:
            return
        target = self.metatags.picker if box.field is self.metatags else box.field
        if isinstance(target, ScheduleEdit):
            target = target.picker if target.enabled.isChecked() else target.enabled
        if isinstance(target, OptionalDateEdit):
            target = target.picker if target.enabled.isChecked() else target.enabled
        target.setFocus()
        if isinstance(target, QLineEdit):
            target.selectAll()
