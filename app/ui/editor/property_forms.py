"""The fields of each hotspot type, one form a type, laid out like the publication form (labels
on the left, each field's message under it).

A form only shows values and reports edits: ``edited`` on every keystroke (the panel checks
the whole form), ``finished(name)`` when one field's edit is complete (the panel commits that
field). Text the user typed and has not had committed stays when the model is shown again.
The forms of media hotspots are in ``media_forms``.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.core.hotspots import HotspotType
from app.ui.detail_inputs import FieldBox
from app.ui.editor.property_checks import Properties
from app.ui.editor.sku_list_edit import SkuListEdit

MAX_POPUP_SIDE = 10_000  # px; far beyond any screen, only there to bound the spin box


def _set_spin(spin: QSpinBox, value: int) -> None:
    if spin.hasFocus() and spin.lineEdit().isModified():
        return  # the user is typing a number in it
    spin.blockSignals(True)
    spin.setValue(value)
    spin.blockSignals(False)


class HotspotForm(QWidget):
    """The fields of one type (``kind``); ``undo_text`` names its edits in the Edit menu."""

    edited = Signal()
    finished = Signal(str)  # the property whose edit is complete
    kind: HotspotType
    undo_text = "Edit hotspot"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, FieldBox] = {}
        self.lines: dict[str, QLineEdit] = {}
        self.spins: dict[str, QSpinBox] = {}
        self.layout_form = QFormLayout(self)
        form = self.layout_form
        form.setContentsMargins(0, 0, 0, 0)
        # Never wrap: a long checkbox label on its own line would lose the field column.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)

    # --- building ---------------------------------------------------------------------

    def _row(self, label_text: str, name: str, field: QWidget, hint: str = "") -> FieldBox:
        box = FieldBox(field, hint)
        self.boxes[name] = box
        label = QLabel(label_text)
        label.setBuddy(field if not isinstance(field, SkuListEdit) else field.entry)
        self.layout_form.addRow(label, box)
        return box

    def _line(self, name: str, placeholder: str, tip: str) -> QLineEdit:
        line = QLineEdit()
        line.setPlaceholderText(placeholder)
        line.setToolTip(tip)
        line.setClearButtonEnabled(True)
        line.textEdited.connect(lambda _text: self.edited.emit())
        line.editingFinished.connect(lambda: self.finished.emit(name))
        self.lines[name] = line
        return line

    def _check(self, name: str, text: str, tip: str) -> QCheckBox:
        check = QCheckBox(text)
        check.setToolTip(tip)
        check.toggled.connect(lambda _on: self.edited.emit())
        check.toggled.connect(lambda _on: self.finished.emit(name))
        self.layout_form.addRow("", check)
        return check

    def _spin(self, name: str, maximum: int, special: str, suffix: str = "") -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, maximum)
        spin.setSpecialValueText(special)  # shown for 0: "not set"
        spin.setSuffix(suffix)
        spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        # A number typed is one edit, committed on Enter or leaving, not one a digit.
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda _value: self.edited.emit())
        spin.valueChanged.connect(lambda _value: self.finished.emit(name))
        self.spins[name] = spin
        return spin

    @staticmethod
    def _set_check(check: QCheckBox, on: bool) -> None:
        check.blockSignals(True)  # showing the model is not an edit
        check.setChecked(on)
        check.blockSignals(False)

    def _set_text(self, name: str, text: str) -> None:
        line = self.lines[name]
        if line.isModified():
            return  # typed and not committed (invalid, or still being typed): the user's
        if line.text() != text:
            line.setText(text)
            line.setCursorPosition(0)

    # --- the panel's interface ----------------------------------------------------------

    def show_properties(self, properties: Properties, page_count: int) -> None:
        raise NotImplementedError

    def data(self) -> Properties:
        """The form's values by property name, as ``check_fields`` takes them."""
        raise NotImplementedError

    def show_messages(self, messages: Mapping[str, str]) -> None:
        for name, box in self.boxes.items():
            box.set_error(messages.get(name))

    def committed(self, name: str) -> None:
        """``name``'s value is in the model now: the model may overwrite it again."""
        if name in self.lines:
            self.lines[name].setModified(False)
        if name in self.spins:
            self.spins[name].lineEdit().setModified(False)

    def forget_edits(self) -> None:
        """Another hotspot is shown: nothing typed before is kept."""
        for name in (*self.lines, *self.spins):
            self.committed(name)

    def pending(self) -> list[str]:
        """Fields with typed text not committed yet."""
        return [name for name, line in self.lines.items() if line.isModified()]

    def set_catalogue(self, products: Mapping[str, str] | None) -> None:
        """Only the product form uses the catalogue."""


class ProductForm(HotspotForm):
    kind = HotspotType.PRODUCT
    undo_text = "Edit product"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.skus = SkuListEdit()
        self.skus.changed.connect(self.edited)
        self.skus.changed.connect(lambda: self.finished.emit("skus"))
        self._row("&SKUs", "skus", self.skus)
        self.icon = self._check(
            "icon", "Show indication &icon", "Readers see an icon on the page marking the hotspot"
        )
        self.dynamic = self._check(
            "dynamic",
            "&Refresh from the catalogue",
            "The product's title, price and image follow the catalogue instead of staying as "
            "they were when published",
        )

    def show_properties(self, properties: Properties, page_count: int) -> None:
        self.skus.set_skus([str(s) for s in properties.get("skus") or []])
        self._set_check(self.icon, bool(properties.get("icon", True)))
        self._set_check(self.dynamic, bool(properties.get("dynamic", True)))

    def data(self) -> Properties:
        return {
            "skus": self.skus.skus(),
            "icon": self.icon.isChecked(),
            "dynamic": self.dynamic.isChecked(),
        }

    def set_catalogue(self, products: Mapping[str, str] | None) -> None:
        self.skus.set_catalogue(products)


class LinkForm(HotspotForm):
    kind = HotspotType.EXTERNAL_LINK
    undo_text = "Edit link"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url = self._line("url", "https://…", "The web, mailto: or tel: address it opens")
        self._row("&Address", "url", self.url)
        self.popup = self._check(
            "popup", "Open in a &popup", "Shows the page over the publication, not in a new tab"
        )
        self.max_width = self._spin("max_width", MAX_POPUP_SIDE, "Not set", " px")
        self.max_height = self._spin("max_height", MAX_POPUP_SIDE, "Not set", " px")
        self.max_width.setToolTip("The popup's largest width; not set: as wide as fits")
        self.max_height.setToolTip("The popup's largest height; not set: as high as fits")
        self._row("Max &width", "max_width", self.max_width)
        self._row("Max &height", "max_height", self.max_height)
        self.popup.toggled.connect(self._enable_sizes)

    def _enable_sizes(self, popup: bool) -> None:
        self.max_width.setEnabled(popup)
        self.max_height.setEnabled(popup)

    def show_properties(self, properties: Properties, page_count: int) -> None:
        self._set_text("url", str(properties.get("url") or ""))
        self._set_check(self.popup, bool(properties.get("popup")))
        self._enable_sizes(self.popup.isChecked())
        _set_spin(self.max_width, int(properties.get("max_width") or 0))
        _set_spin(self.max_height, int(properties.get("max_height") or 0))

    def data(self) -> Properties:
        return {
            "url": self.url.text(),
            "popup": self.popup.isChecked(),
            "max_width": self.max_width.value() or None,
            "max_height": self.max_height.value() or None,
        }


class PageReferenceForm(HotspotForm):
    kind = HotspotType.PAGE_REFERENCE
    undo_text = "Edit page reference"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = self._spin("page", 1, "Not set")
        self.page.setToolTip("The page of this document the hotspot leads to")
        self.page_box = self._row("&Target page", "page", self.page)

    def show_properties(self, properties: Properties, page_count: int) -> None:
        target = properties.get("page")
        target = target if isinstance(target, int) and not isinstance(target, bool) else 0
        # A target past the end (pages removed since) is shown as it is, not as the last page.
        self.page.blockSignals(True)  # a lower maximum clamps the value: not the user's edit
        self.page.setMaximum(max(page_count, target, 1))
        self.page.blockSignals(False)
        self.page.setSuffix(f" of {page_count}")
        _set_spin(self.page, target)

    def data(self) -> Properties:
        return {"page": self.page.value() or None}
