"""New publications from dropped PDFs, in the real window against a real server: however
quickly files arrive, they are checked and asked about one at a time, in order, and each
answered dialog creates its own publication."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.ui.main_window import MainWindow
from app.ui.new_publication import NewPublicationDialog
from app.ui.workspace import Workspace
from tests.conftest import Tenant
from tests.sample_pdfs import plain_pdf
from tests.ui.window_driver import drop_files, open_window


def server_titles(tenant: Tenant) -> list[str]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications")
    assert response.status_code == 200, response.text
    return sorted(p["title"] for p in response.json()["publications"])


def open_dialogs(window: MainWindow) -> list[NewPublicationDialog]:
    return [d for d in window.findChildren(NewPublicationDialog) if d.isVisible()]


def next_dialog(
    window: MainWindow, qtbot: Any, after: NewPublicationDialog | None
) -> NewPublicationDialog:
    """The next file's dialog, once it opened; never two at once."""

    def opened() -> bool:
        dialog = window.actions.creator.dialog
        return dialog is not None and dialog is not after and dialog.isVisible()

    qtbot.waitUntil(opened, timeout=10_000)
    dialog = window.actions.creator.dialog
    assert dialog is not None
    assert open_dialogs(window) == [dialog]
    return dialog


def answer(dialog: NewPublicationDialog, qtbot: Any, title: str | None) -> None:
    """Create with ``title``, or Cancel when it is None."""
    buttons = dialog.findChild(QDialogButtonBox)
    if title is None:
        button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    else:
        dialog.title.clear()
        qtbot.keyClicks(dialog.title, title)
        button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def close_when_idle(window: MainWindow, qtbot: Any) -> None:
    """Close the window and let the work it started finish (the table and the detail panel
    showing the new publication) while its widgets still exist."""
    window.close()
    runner = window.workspace.runner
    qtbot.waitUntil(lambda: runner.busy == 0 and not window.sync.running, timeout=30_000)


def test_files_dropped_in_quick_succession_are_asked_about_one_at_a_time(
    workspace: Workspace, ui_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    pdfs = []
    for number, name in enumerate(("first", "second", "third", "fourth", "fifth"), start=1):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(plain_pdf(number))
        pdfs.append(pdf)
    window = open_window(workspace, qtbot)
    creator = window.actions.creator

    # Two at once, then another while the first is still being checked.
    drop_files(window, pdfs[:2])
    assert creator.busy and creator.dialog is None
    drop_files(window, [pdfs[2]])
    first = next_dialog(window, qtbot, None)
    assert first.facts.path == pdfs[0]
    # And two more while the first dialog waits for an answer.
    drop_files(window, [pdfs[3]])
    drop_files(window, [pdfs[4]])
    qtbot.wait(200)
    assert open_dialogs(window) == [first]

    answer(first, qtbot, "First from a drop")
    second = next_dialog(window, qtbot, first)
    assert second.facts.path == pdfs[1]
    answer(second, qtbot, "Second from a drop")
    third = next_dialog(window, qtbot, second)
    assert third.facts.path == pdfs[2]
    answer(third, qtbot, None)  # cancelled: the queue goes on
    fourth = next_dialog(window, qtbot, third)
    assert fourth.facts.path == pdfs[3]
    answer(fourth, qtbot, "Fourth from a drop")
    fifth = next_dialog(window, qtbot, fourth)
    assert fifth.facts.path == pdfs[4]
    assert fifth.facts.pages == 5
    answer(fifth, qtbot, "Fifth from a drop")
    qtbot.waitUntil(lambda: not creator.busy and creator.dialog is None, timeout=5_000)

    expected = [
        "Fifth from a drop",
        "First from a drop",
        "Fourth from a drop",
        "Second from a drop",
    ]

    def all_created() -> bool:
        if not window.sync.running:
            window.sync.sync_now()
        return server_titles(ui_tenant) == expected

    qtbot.waitUntil(all_created, timeout=60_000)
    close_when_idle(window, qtbot)
