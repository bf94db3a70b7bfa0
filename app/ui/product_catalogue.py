"""A group's product catalogue as the feed dialog shows it: sku, title and price in a table
with a search, read from the server when connected, else from the library as last synced.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.client.api import FolioApi
from app.client.pagination import list_items
from app.ui.live_status import OpenGuard
from app.ui.messages import describe
from app.ui.tasks import TaskContext
from app.ui.workspace import Workspace

Product = tuple[str, str, str]
"""sku, title, price as shown."""


def fetch_catalogue(api: FolioApi, group_id: int) -> list[Product]:
    """The group's whole catalogue in one request (the list without ``page`` is complete)."""
    response = api.session.request("GET", f"/v2/groups/{group_id}/products")
    return [product_row(item) for item in list_items(response.body, "products")]


def product_row(data: dict[str, Any]) -> Product:
    return (str(data.get("sku") or ""), str(data.get("title") or ""), str(data.get("price") or ""))


class CatalogueModel(QAbstractTableModel):
    """Products as sku, title, price; ``set_filter`` narrows them to a search."""

    HEADERS = ("SKU", "Title", "Price")

    def __init__(self) -> None:
        super().__init__()
        self.products: list[Product] = []
        self.shown: list[Product] = []
        self.search = ""

    def set_products(self, products: list[Product]) -> None:
        self.beginResetModel()
        self.products = products
        self.shown = self._matching()
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self.search = text.strip().casefold()
        self.shown = self._matching()
        self.endResetModel()

    def _matching(self) -> list[Product]:
        if not self.search:
            return self.products
        needle = self.search
        return [p for p in self.products if needle in p[0].casefold() or needle in p[1].casefold()]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.shown[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class CataloguePanel(QGroupBox):
    """The catalogue box: how many products there are, a search, and the table. ``load``
    reads the catalogue in a worker; ``guard`` is the dialog's, so an answer that comes
    after the dialog closed is dropped."""

    def __init__(
        self,
        workspace: Workspace,
        group_id: int,
        guard: OpenGuard,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Catalogue", parent)
        self.workspace = workspace
        self.group_id = group_id
        self._open = guard
        self.live = True
        self.model = CatalogueModel()
        self.count = QLabel("Loading…")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search SKU or title")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search.setToolTip("Shows the products whose SKU or title contains this")
        # Filtering a large catalogue on every key press would lag behind the typing.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 180)
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(search_label)
        row.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)

    def load(self) -> None:
        """From the server when connected (current after an import here), else as synced."""
        workspace, group_id = self.workspace, self.group_id

        def load(_context: TaskContext) -> tuple[list[Product], bool]:
            if workspace.connection is not None:
                return fetch_catalogue(workspace.api(), group_id), True
            return [product_row(item.data) for item in workspace.library.products(group_id)], False

        self.workspace.runner.run(
            load,
            name="catalogue",
            on_done=self._open(self._show_catalogue),
            on_error=self._open(lambda exc: self.count.setText(describe(exc))),
        )

    def _show_catalogue(self, result: tuple[list[Product], bool]) -> None:
        products, live = result
        self.model.set_products(products)
        self.live = live
        self._count_products()

    def _apply_search(self) -> None:
        self.model.set_filter(self.search.text())
        self._count_products()

    def _count_products(self) -> None:
        total, shown = len(self.model.products), len(self.model.shown)
        text = f"{total:,} product{'s' if total != 1 else ''}"
        if self.model.search:
            text = f"{shown:,} of {text} match"
        if not self.live:
            text += " (as of the last sync)"
        self.count.setText(text)
