"""A publication's metatags as removable chips, with a picker of the group's other metatags.

The chips wrap onto more lines in a narrow panel; colours come from the system palette so
they read in light and dark themes alike.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.mirror.library import Item

PICK_PROMPT = "Add a metatag…"


def metatag_text(item: Item) -> str:
    category = str(item.data.get("category") or "").strip()
    value = str(item.data.get("value") or "").strip() or f"Metatag {item.id}"
    return f"{category}: {value}" if category else value


class FlowLayout(QLayout):
    """Lays items left to right and wraps them onto the next line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y = area.x(), y + line_height + self._spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class MetatagChip(QFrame):
    removed = Signal(int)

    def __init__(self, metatag_id: int, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metatag_id = metatag_id
        self.setObjectName("metatag-chip")
        self.setStyleSheet(
            "#metatag-chip { border: 1px solid palette(mid); border-radius: 11px;"
            " background: palette(alternate-base); }"
        )
        self.label = QLabel(text)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setAutoRaise(True)
        self.remove.setCursor(Qt.CursorShape.PointingHandCursor)
        self.remove.setToolTip(f"Remove the metatag “{text}” from this publication")
        self.remove.setAccessibleName(f"Remove {text}")
        self.remove.clicked.connect(lambda: self.removed.emit(self.metatag_id))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(9, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.remove)


class MetatagChips(QWidget):
    """``ids()`` are the chosen metatags; ``changed`` fires when the user adds or removes one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: dict[int, Item] = {}
        self._ids: list[int] = []
        self.chips: dict[int, MetatagChip] = {}
        self.chip_area = QWidget()
        self.flow = FlowLayout(self.chip_area)
        self.empty = QLabel("No metatags")
        self.empty.setEnabled(False)  # drawn in the palette's disabled text colour
        self.picker = QComboBox()
        # Long metatag names must not widen the panel; the popup shows them whole.
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.setMinimumContentsLength(10)
        self.picker.setToolTip("Assign one of this group's metatags to the publication")
        self.picker.setAccessibleName("Add a metatag")
        self.picker.activated.connect(self._picked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.chip_area)
        layout.addWidget(self.empty)
        layout.addWidget(self.picker)
        self._rebuild()

    def set_choices(self, metatags: list[Item]) -> None:
        """The group's metatags; the chosen ids stay as they are."""
        self._choices = {item.id: item for item in metatags}
        self._rebuild()

    def set_ids(self, ids: list[int]) -> None:
        self._ids = list(dict.fromkeys(ids))
        self._rebuild()

    def ids(self) -> list[int]:
        return list(self._ids)

    def text_of(self, metatag_id: int) -> str:
        item = self._choices.get(metatag_id)
        # A metatag deleted on the server since: still shown, so the user can remove it.
        return metatag_text(item) if item is not None else f"Metatag {metatag_id}"

    def remove_id(self, metatag_id: int) -> None:
        if metatag_id in self._ids:
            self._ids.remove(metatag_id)
            self._rebuild()
            self.changed.emit()

    def add_id(self, metatag_id: int) -> None:
        if metatag_id not in self._ids:
            self._ids.append(metatag_id)
            self._rebuild()
            self.changed.emit()

    def _picked(self, index: int) -> None:
        metatag_id = self.picker.itemData(index)
        if isinstance(metatag_id, int):
            self.add_id(metatag_id)
            self.picker.setFocus()

    def _rebuild(self) -> None:
        for chip in self.chips.values():
            self.flow.removeWidget(chip)
            chip.hide()  # it would be drawn where it was until deleted
            chip.deleteLater()
        self.chips = {}
        for metatag_id in self._ids:
            chip = MetatagChip(metatag_id, self.text_of(metatag_id), self.chip_area)
            chip.removed.connect(self.remove_id)
            self.flow.addWidget(chip)
            self.chips[metatag_id] = chip
        self.chip_area.setVisible(bool(self._ids))
        self.empty.setVisible(not self._ids)
        self._fill_picker()
        self.updateGeometry()

    def _fill_picker(self) -> None:
        free = sorted(
            (item for item in self._choices.values() if item.id not in self._ids),
            key=lambda item: metatag_text(item).lower(),
        )
        self.picker.blockSignals(True)
        self.picker.clear()
        if not self._choices:
            self.picker.addItem("This group has no metatags yet")
        elif not free:
            self.picker.addItem("All of the group's metatags are assigned")
        else:
            self.picker.addItem(PICK_PROMPT)
            for item in free:
                self.picker.addItem(metatag_text(item), item.id)
        self.picker.setCurrentIndex(0)
        self.picker.setEnabled(bool(free))
        self.picker.blockSignals(False)
