"""The groups list on the left: "All publications" and each group, with counts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from app.mirror.library import Item
from app.ui.workspace import Workspace

GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
ALL = -1


class GroupTree(QTreeWidget):
    """Emits ``group_selected(group_id)``; ``ALL`` (-1) for every group at once."""

    group_selected = Signal(int)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setMinimumWidth(180)
        self.groups: list[Item] = []
        self._selected = ALL
        self.currentItemChanged.connect(self._current_changed)

    @property
    def selected_group(self) -> int | None:
        return None if self._selected == ALL else self._selected

    def reload(self) -> None:
        library = self.workspace.library
        self.workspace.runner.run(
            lambda _context: (library.groups(), library.publication_counts()),
            name="groups",
            owner=self,
            on_done=self._show,
        )

    def _show(self, result: tuple[list[Item], dict[int, int]]) -> None:
        groups, counts = result
        self.groups = groups
        self.blockSignals(True)
        self.clear()
        total = sum(counts.values())
        entries = [(ALL, "All publications", total)] + [
            (group.id, str(group.data.get("title") or f"Group {group.id}"), counts.get(group.id, 0))
            for group in groups
        ]
        selected: QTreeWidgetItem | None = None
        for group_id, title, count in entries:
            item = QTreeWidgetItem([f"{title}  ({count:,})"])
            item.setData(0, GROUP_ROLE, group_id)
            item.setToolTip(0, f"{title}: {count:,} publications")
            self.addTopLevelItem(item)
            if group_id == self._selected:
                selected = item
        if selected is None:
            selected = self.topLevelItem(0)
            self._selected = ALL
        self.setCurrentItem(selected)
        self.blockSignals(False)

    def select_group(self, group_id: int | None) -> None:
        wanted = ALL if group_id is None else group_id
        for number in range(self.topLevelItemCount()):
            item = self.topLevelItem(number)
            if item.data(0, GROUP_ROLE) == wanted:
                self.setCurrentItem(item)
                return

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        if current is None:
            return
        group_id = int(current.data(0, GROUP_ROLE))
        if group_id != self._selected:
            self._selected = group_id
            self.group_selected.emit(group_id)
