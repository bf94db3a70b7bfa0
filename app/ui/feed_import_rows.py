"""One product feed import as the feed dialog lists it: its row with the state as a pill,
and what the dialog says about it when it is chosen or has just ended."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QTreeWidget, QTreeWidgetItem, QWidget

from app.ui.live_status import StateBadge, format_time, short_time

RUNNING = frozenset({"scheduled", "processing"})
TONES = {"success": "good", "failed": "bad", "scheduled": "busy", "processing": "busy"}
COLUMNS = ("Source", "State", "Imported", "Refused", "Started", "Finished")


def add_import_row(tree: QTreeWidget, feed: dict[str, Any]) -> None:
    """Append ``feed`` (the API's product feed) to ``tree``, its id in column 0's UserRole."""
    state = str(feed.get("state") or "")
    finished = short_time(feed.get("finished_at"))
    item = QTreeWidgetItem(
        [
            str(feed.get("url") or ""),
            "",
            str(feed.get("success_count") or 0),
            str(feed.get("failed_count") or 0),
            short_time(feed.get("created_at")),
            finished or ("…" if state in RUNNING else ""),
        ]
    )
    item.setData(0, Qt.ItemDataRole.UserRole, feed.get("id"))
    item.setToolTip(0, str(feed.get("url") or ""))
    item.setToolTip(4, format_time(feed.get("created_at")))
    item.setToolTip(5, format_time(feed.get("finished_at")))
    for column in (2, 3):
        item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
    tree.addTopLevelItem(item)
    badge = StateBadge()
    badge.set_state(state, TONES.get(state, "neutral"))
    holder = QWidget()  # keeps the pill its own size inside the cell
    holder_layout = QHBoxLayout(holder)
    holder_layout.setContentsMargins(4, 1, 4, 1)
    holder_layout.addWidget(badge)
    holder_layout.addStretch(1)
    tree.setItemWidget(item, 1, holder)


def import_details(feed: dict[str, Any]) -> tuple[str, str]:
    """(text, tone) under the list for the chosen import: why it failed, that it runs, or
    examples of the items it refused; ("", "") when there is nothing to say."""
    state = feed.get("state")
    if state == "failed":
        return f"Why it failed: {feed.get('error') or 'unknown'}", "bad"
    if state in RUNNING:
        return "Importing… the state above updates by itself.", ""
    if feed.get("failed_count"):
        samples = [e for e in feed.get("errors_sample") or [] if isinstance(e, dict)][:3]
        examples = "; ".join(
            f"item {e.get('position')}"
            + (f" ({e['sku']})" if e.get("sku") else "")
            + f": {e.get('reason')}"
            for e in samples
        )
        return (
            f"{feed['failed_count']:,} items were refused"
            + (f", for example {examples}." if examples else "."),
            "",
        )
    return "", ""


def ending_message(feed: dict[str, Any]) -> tuple[str, str]:
    """(text, tone) saying how an import that was running ended."""
    if feed.get("state") == "success":
        return (
            f"Import finished: {feed.get('success_count') or 0:,} products imported, "
            f"{feed.get('failed_count') or 0:,} refused.",
            "good",
        )
    return f"The import failed: {feed.get('error') or 'no reason given'}", "bad"
