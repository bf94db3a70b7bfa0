"""The dock beside the canvas that shows and edits the selected hotspot: where it is, its type,
and its type's fields.

Every keystroke is checked and its message shown under the field; a field's value reaches
the model (one undo step) only when its edit is complete and valid, so a typo never lands in
the document and the user's text stays in the field until they fix it. The panel follows the
model: an undo, a redo or a drag on the canvas shows at once, except in a field the user is
typing in.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.hotspots import HotspotType
from app.ui.detail_form import _heading
from app.ui.editor.editing import HotspotEditor
from app.ui.editor.media_forms import ImageForm, SlideshowForm, VideoForm
from app.ui.editor.model import EditorHotspot, display_rect
from app.ui.editor.property_checks import (
    EDITABLE_TYPES,
    TYPE_NAMES,
    check_fields,
    default_properties,
)
from app.ui.editor.property_forms import HotspotForm, LinkForm, PageReferenceForm, ProductForm

NO_SELECTION_TEXT = "Select a hotspot to edit it, or draw one with a tool from the toolbar."
ARRANGE_TEXT = "Align and distribute them from the Arrange menu."


def _points(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setMargin(24)
    return label


def _align_labels(layouts: list[QFormLayout]) -> None:
    """One label column for the facts and every type's form, so all fields line up."""
    labels = [
        item.widget()
        for layout in layouts
        for row in range(layout.rowCount())
        if (item := layout.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
    ]
    for label in labels:
        label.ensurePolished()  # the hidden forms' labels are measured as they will be drawn
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)
    for layout in layouts:
        layout.setHorizontalSpacing(10)


class PropertyPanel(QWidget):
    """Edits the editor's selected hotspot through ``editor`` (so every change is undoable).
    ``set_catalogue`` gives the SKU -> product title mapping the product form shows."""

    def __init__(self, editor: HotspotEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.model = editor.model
        self.key: int | None = None  # the hotspot the form shows
        forms: list[HotspotForm] = [
            ProductForm(),
            LinkForm(),
            PageReferenceForm(),
            ImageForm(),
            VideoForm(),
            SlideshowForm(),
        ]
        self.forms = {form.kind: form for form in forms}
        self._build()
        for form in self.forms.values():
            form.edited.connect(self._check_form)
            form.finished.connect(self._commit)
        # Programmatic changes block signals, so this is the user's choice (mouse or keys).
        self.type_combo.currentIndexChanged.connect(self._type_chosen)
        editor.selection_changed.connect(self._selection_changed)
        self.model.changed.connect(self._model_changed)
        self.model.pages_changed.connect(lambda _pages: self._show_hotspot())
        self._selection_changed()

    def _build(self) -> None:
        self.hint = _placeholder(NO_SELECTION_TEXT)
        self.several = QWidget()
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-weight: bold;")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        arrange = QLabel(ARRANGE_TEXT)
        arrange.setWordWrap(True)
        arrange.setAlignment(Qt.AlignmentFlag.AlignCenter)
        several_layout = QVBoxLayout(self.several)
        several_layout.setContentsMargins(24, 24, 24, 24)
        several_layout.addStretch(1)
        several_layout.addWidget(self.count_label)
        several_layout.addWidget(arrange)
        several_layout.addStretch(2)

        self.page_label = QLabel()
        self.size_label = QLabel()
        for label in (self.page_label, self.size_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.size_label.setToolTip("Width x height as the page is displayed, in points")
        self.type_combo = QComboBox()
        self.type_combo.setToolTip("Another type keeps the hotspot's place and starts its fields")
        facts = QFormLayout()
        facts.setContentsMargins(0, 0, 0, 0)
        facts.setVerticalSpacing(8)
        facts.addRow(_heading("Hotspot", first=True))
        facts.addRow("Page", self.page_label)
        facts.addRow("Size", self.size_label)
        type_label = QLabel("T&ype")
        type_label.setBuddy(self.type_combo)
        facts.addRow(type_label, self.type_combo)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        # Not a stacked widget: that sizes every form to the tallest and ignores the wrapped
        # messages' height-for-width, so a long message was cut off. Only one form is shown.
        self.form_area = QWidget()
        form_layout = QVBoxLayout(self.form_area)
        form_layout.setContentsMargins(0, 0, 0, 0)
        for form in self.forms.values():
            form.hide()
            form_layout.addWidget(form)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(12, 12, 12, 12)
        body_layout.setSpacing(8)
        body_layout.addLayout(facts)
        body_layout.addWidget(line)
        body_layout.addWidget(self.form_area)
        body_layout.addStretch(1)
        # The fields scroll in a short dock rather than squeezing.
        self.single = QScrollArea()
        self.single.setWidget(body)
        self.single.setWidgetResizable(True)
        self.single.setFrameShape(QFrame.Shape.NoFrame)
        self.single.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        _align_labels([facts, *(form.layout_form for form in self.forms.values())])

        self.stack = QStackedWidget()
        for page in (self.hint, self.several, self.single):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # --- the window's interface -----------------------------------------------------------

    def set_catalogue(self, products: Mapping[str, str] | None) -> None:
        """SKU -> product title (loaded by the caller in a worker); None: no catalogue known,
        so no SKU is marked as missing from it."""
        self.forms[HotspotType.PRODUCT].set_catalogue(products)

    @property
    def form(self) -> HotspotForm | None:
        """The form shown for the selected hotspot, or None."""
        item = self._item()
        return self.forms[item.type] if item is not None else None

    # --- following the editor -------------------------------------------------------------

    def _item(self) -> EditorHotspot | None:
        return self.model.get(self.key) if self.key is not None else None

    def commit_pending(self) -> None:
        """Apply valid text still being typed (before a save or a close: the field has not
        lost focus yet)."""
        form = self.form
        if form is not None:
            for name in form.pending():
                self._commit(name)

    def _selection_changed(self) -> None:
        # Text typed for the hotspot shown so far is its own: kept when it is valid.
        self.commit_pending()
        items = self.editor.selected_items()
        self.key = items[0].key if len(items) == 1 else None
        for each in self.forms.values():
            each.forget_edits()
        if len(items) > 1:
            self.count_label.setText(f"{len(items)} hotspots selected")
            self.stack.setCurrentWidget(self.several)
        elif not items:
            self.stack.setCurrentWidget(self.hint)
        else:
            self._show_hotspot()
            self.stack.setCurrentWidget(self.single)

    def _model_changed(self, keys: frozenset[int]) -> None:
        if self.key in keys and self._item() is not None:
            self._show_hotspot()

    def _show_hotspot(self) -> None:
        item = self._item()
        if item is None:
            return
        page = self.model.page(item.page)
        shown = display_rect(page, item.rect)
        self.page_label.setText(f"{item.page} of {self.model.page_count}")
        self.size_label.setText(f"{_points(shown.width)} x {_points(shown.height)} pt")
        self._fill_type_combo(item.type)
        form = self.forms[item.type]
        if form.isHidden():
            form.forget_edits()  # the type changed: the new fields start from the model
            for each in self.forms.values():
                each.setVisible(each is form)
        form.show_properties(item.properties, self.model.page_count)
        self._check_form()

    def _fill_type_combo(self, kind: HotspotType) -> None:
        kinds = (
            (*EDITABLE_TYPES, HotspotType.SLIDESHOW)
            if kind not in EDITABLE_TYPES
            else EDITABLE_TYPES
        )
        self.type_combo.blockSignals(True)
        if [self.type_combo.itemData(i) for i in range(self.type_combo.count())] != list(kinds):
            self.type_combo.clear()
            for each in kinds:
                self.type_combo.addItem(TYPE_NAMES[each], each)
        self.type_combo.setCurrentIndex(self.type_combo.findData(kind))
        self.type_combo.blockSignals(False)

    # --- editing --------------------------------------------------------------------------

    def _check_form(self) -> None:
        item, form = self._item(), self.form
        if item is None or form is None:
            return
        _properties, messages = check_fields(
            item.type, form.data(), item.properties, self.model.page_count
        )
        form.show_messages(messages)

    def _commit(self, name: str) -> None:
        item, form = self._item(), self.form
        if item is None or form is None or name not in form.data():
            return
        data = {name: form.data()[name]}
        properties, _messages = check_fields(
            item.type, data, item.properties, self.model.page_count
        )
        if properties is None:
            self._check_form()  # the refusal stays under the field, the text in it
            return
        form.committed(name)
        if properties != item.properties:
            self.editor.set_properties(item.key, properties, form.undo_text)
        self._check_form()

    def _type_chosen(self, index: int) -> None:
        item = self._item()
        if item is None or index < 0:
            return
        kind = HotspotType(self.type_combo.itemData(index))  # Qt hands the enum back as str
        if kind is not item.type:
            self.editor.set_type(item.key, kind, default_properties(kind))
