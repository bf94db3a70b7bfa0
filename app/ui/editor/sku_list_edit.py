"""A product hotspot's SKUs as an editable list: one row a SKU with its product title from the
catalogue (or a warning that the catalogue lacks it) and a remove button, and a line to add
more with completion over the catalogue.

Rows rather than the metatag chips: a SKU's title needs a line of its own in a narrow dock.
The rows take the chips' look (palette colours, so light and dark themes both read).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.hotspot_fields import MAX_SKUS
from app.ui.detail_inputs import ERROR_STYLE
from app.ui.live_status import set_message

WARNING_COLOR = "#b45309"  # amber dark enough to read as text on a light background
WARNING_STYLE = f"color: {WARNING_COLOR};"
MAX_SKU_LENGTH = 255  # what the API takes (app.core.hotspot_fields)
NOT_IN_CATALOGUE = "not in the catalogue"
SKU_ROLE = Qt.ItemDataRole.UserRole + 1
COMPLETION_WIDTH = 320  # px


class SkuRow(QFrame):
    """One SKU with its product title (``title`` None: not shown) or, when ``known`` is
    False, the warning that the catalogue lacks it."""

    removed = Signal(str)

    def __init__(
        self, sku: str, title: str | None, known: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.sku = sku
        self.setObjectName("sku-row")
        self.setStyleSheet(
            "#sku-row { border: 1px solid palette(mid); border-radius: 6px;"
            " background: palette(alternate-base); }"
        )
        self.sku_label = QLabel(sku)
        self.sku_label.setStyleSheet("font-weight: bold;")
        self.sku_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_label = QLabel(title if known else NOT_IN_CATALOGUE)
        self.title_label.setWordWrap(True)
        self.title_label.setVisible(title is not None or not known)
        if not known:
            self.title_label.setStyleSheet(WARNING_STYLE)
            self.title_label.setToolTip(
                "The product catalogue has no product with this SKU: check it for typing errors"
            )
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setAutoRaise(True)
        self.remove.setCursor(Qt.CursorShape.PointingHandCursor)
        self.remove.setToolTip(f"Remove {sku} from this hotspot")
        self.remove.setAccessibleName(f"Remove {sku}")
        self.remove.clicked.connect(lambda: self.removed.emit(self.sku))
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.sku_label)
        text.addWidget(self.title_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 2, 3)
        layout.setSpacing(4)
        layout.addLayout(text, 1)
        layout.addWidget(self.remove, 0, Qt.AlignmentFlag.AlignTop)


class SkuListEdit(QWidget):
    """``skus()`` in the order added; ``changed`` fires when the user adds or removes one
    (not on ``set_skus``)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._skus: list[str] = []
        self._catalogue: Mapping[str, str] | None = None
        self._just_added: str | None = None
        self.rows: dict[str, SkuRow] = {}
        self.row_box = QVBoxLayout()
        self.row_box.setSpacing(4)
        self.empty = QLabel("No SKU yet: the hotspot can't be saved without one.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(ERROR_STYLE)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("Add a SKU…")
        self.entry.setAccessibleName("SKU to add")
        self.entry.setToolTip("Type a SKU and press Enter; the catalogue's SKUs are offered")
        # A tool button: a push button's minimum width would squeeze the line in a narrow dock.
        self.add_button = QToolButton()
        self.add_button.setText("&Add")
        self.add_button.setToolTip("Add the SKU typed beside to this hotspot")
        self.add_button.setEnabled(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.completions = QStandardItemModel(self)
        self.completer = QCompleter(self.completions, self)
        # Completes on the SKU (the text inserted) while the list shows each product's title.
        self.completer.setCompletionRole(SKU_ROLE)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        # The line is narrow in a dock; the list is a popup and may show titles whole.
        self.completer.popup().setMinimumWidth(COMPLETION_WIDTH)
        self.entry.setCompleter(self.completer)
        entry_row = QHBoxLayout()
        entry_row.setSpacing(6)
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self.row_box)
        layout.addWidget(self.empty)
        layout.addLayout(entry_row)
        layout.addWidget(self.message)
        self.entry.textEdited.connect(self._typed)
        self.entry.returnPressed.connect(self.add_typed)
        self.add_button.clicked.connect(self.add_typed)
        self.completer.activated[str].connect(self._completed)
        self._rebuild()

    # --- data -------------------------------------------------------------------------

    def skus(self) -> list[str]:
        return list(self._skus)

    def set_skus(self, skus: list[str]) -> None:
        if skus != self._skus:
            self._skus = list(skus)
            self._rebuild()

    def set_catalogue(self, products: Mapping[str, str] | None) -> None:
        """SKU -> product title; None when no catalogue is known (no SKU is marked then)."""
        self._catalogue = products
        self.completions.clear()
        for sku, title in sorted((products or {}).items()):
            item = QStandardItem(f"{sku} — {title}" if title else sku)
            item.setData(sku, SKU_ROLE)
            self.completions.appendRow(item)
        self._rebuild()

    # --- editing ----------------------------------------------------------------------

    def add_typed(self) -> None:
        sku = self.entry.text().strip()
        problem = self._problem(sku)
        if not sku or problem:
            self._say(problem)
            return
        self.entry.clear()
        self._say(None)
        self._just_added = sku
        self._skus.append(sku)
        self._rebuild()
        self.changed.emit()

    def remove_sku(self, sku: str) -> None:
        if sku in self._skus:
            self._skus.remove(sku)
            self._rebuild()
            self.changed.emit()
            self.entry.setFocus()  # the row's button, which had it, is gone

    def _problem(self, sku: str) -> str | None:
        if len(sku) > MAX_SKU_LENGTH:
            return f"A SKU has at most {MAX_SKU_LENGTH} characters."
        if sku in self._skus:
            return f"{sku} is listed already."
        if len(self._skus) >= MAX_SKUS:
            return f"A hotspot takes at most {MAX_SKUS} SKUs."
        return None

    def _completed(self, sku: str) -> None:
        # The completer puts the SKU into the line after this signal: act once it has.
        QTimer.singleShot(0, self, lambda: self._after_completion(sku))

    def _after_completion(self, sku: str) -> None:
        if self.entry.text() != sku:
            return
        if sku == self._just_added:
            # Enter on a completion reached the line first, which added the SKU.
            self.entry.clear()
            self.add_button.setEnabled(False)
        else:
            self.add_typed()  # a click on a completion adds it

    def _typed(self, text: str) -> None:
        self._just_added = None
        sku = text.strip()
        self.add_button.setEnabled(bool(sku))
        self._say(self._problem(sku) if sku else None)

    def _say(self, text: str | None) -> None:
        set_message(self.message, text or "", "bad")

    def _rebuild(self) -> None:
        for row in self.rows.values():
            self.row_box.removeWidget(row)
            row.hide()  # it would be drawn where it was until deleted
            row.deleteLater()
        self.rows = {}
        for sku in self._skus:
            title = None if self._catalogue is None else self._catalogue.get(sku)
            known = self._catalogue is None or sku in self._catalogue
            row = SkuRow(sku, title, known, self)
            row.removed.connect(self.remove_sku)
            self.row_box.addWidget(row)
            self.rows[sku] = row
        self.empty.setVisible(not self._skus)
        self.updateGeometry()
