"""Opening the hotspot editor on a local PDF or a library publication: the document is
read in a worker, then the window shows. One window per document; asking again raises it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.ui.editor.sources import load_pdf, load_publication
from app.ui.messages import describe
from app.ui.pdf_thread import pdf_runner
from app.ui.prompts import show_error

if TYPE_CHECKING:
    from app.ui.editor.editor_window import EditorWindow
    from app.ui.workspace import Workspace

# Open editors by what they show ("pdf:<path>" or "publication:<id>"), so a second request
# brings the window forward instead of opening the document twice.
_OPEN: dict[str, EditorWindow] = {}


# Documents being read for an editor: a second request while the first loads opens nothing.
_LOADING: set[str] = set()


def _raise_open(key: str) -> bool:
    if key in _LOADING:
        return True
    window = _OPEN.get(key)
    if window is None:
        return False
    window.show()
    window.raise_()
    window.activateWindow()
    return True


def _forget(key: str, window: EditorWindow) -> None:
    if _OPEN.get(key) is window:
        del _OPEN[key]


def _track(key: str, window: EditorWindow) -> EditorWindow:
    _LOADING.discard(key)
    _OPEN[key] = window
    window.destroyed.connect(lambda _obj=None: _forget(key, window))
    # Shown on the next turn of the event loop: building the window and laying it out
    # then take two short turns instead of one long one.
    QTimer.singleShot(0, window, window.show)
    return window


def open_pdf(
    path: Path,
    workspace: Workspace | None,
    parent: QWidget | None = None,
    *,
    on_open: Callable[[EditorWindow], None] | None = None,
) -> None:
    """Read ``path`` on the PyMuPDF thread and open an editor on it; a broken, encrypted or
    unreadable file is explained in a message instead. ``on_open(window)`` is called once the
    window shows (for tests and the benchmark)."""
    key = f"pdf:{path.resolve()}"
    if _raise_open(key):
        return
    _LOADING.add(key)

    def opened(session: object) -> None:
        from app.ui.editor.editor_window import EditorWindow

        window = _track(key, EditorWindow.for_pdf(session, workspace))  # type: ignore[arg-type]
        if on_open is not None:
            on_open(window)

    pdf_runner().run(
        lambda _context: load_pdf(path),
        name="open pdf in editor",
        on_done=opened,
        on_error=lambda exc: (
            _LOADING.discard(key),
            show_error(
                parent, "Can't open this PDF", f"“{path.name}” can't be edited: {describe(exc)}"
            ),
        ),
    )


def open_publication(
    publication_id: int,
    workspace: Workspace,
    parent: QWidget | None = None,
    *,
    on_open: Callable[[EditorWindow], None] | None = None,
) -> None:
    """Read the publication's pages and hotspots from the library and open an editor."""
    key = f"publication:{workspace.server_url}:{publication_id}"
    if _raise_open(key):
        return
    _LOADING.add(key)
    library = workspace.library

    def opened(session: object) -> None:
        from app.ui.editor.editor_window import EditorWindow

        window = _track(key, EditorWindow.for_publication(session, workspace))  # type: ignore[arg-type]
        if on_open is not None:
            on_open(window)

    def failed(exc: BaseException) -> None:
        _LOADING.discard(key)
        show_error(parent, "Can't open the publication", describe(exc))

    workspace.runner.run(
        lambda _context: load_publication(library, publication_id),
        name="open publication in editor",
        on_done=opened,
        on_error=failed,
    )
