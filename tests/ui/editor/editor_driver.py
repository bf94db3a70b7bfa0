"""Driving the hotspot editor in tests: open it on a PDF, turn page points into viewport
pixels, and drag, click and press keys on the canvas as a designer would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.core.geometry import Rect
from app.ui.editor.canvas import HotspotCanvas
from app.ui.editor.editor_window import EditorWindow
from app.ui.editor.model import display_rect
from app.ui.editor.sources import load_pdf

# Editors opened by a test, closed after it (see conftest.py) without the unsaved-changes
# question; a test may have closed one itself, which deletes it.
OPENED: list[EditorWindow] = []


def close_opened() -> None:
    while OPENED:
        window = OPENED.pop()
        if shiboken6.isValid(window):
            window.editor.mark_saved()
            window.close()


def open_editor(path: Path, qtbot: Any, workspace: Any = None) -> EditorWindow:
    """The editor on ``path``, shown, with its first page drawn."""
    window = EditorWindow.for_pdf(load_pdf(path), workspace)
    OPENED.append(window)
    window.resize(1200, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.images.image(1, 0.5) is not None, timeout=10_000)
    return window


def view_point(canvas: HotspotCanvas, page: int, x: float, y: float) -> QPoint:
    """Viewport pixel of the displayed-page point (x, y) of ``page``."""
    item = canvas.page_item(page)
    return canvas.mapFromScene(item.mapToScene(QPointF(x, y)))


def page_point(canvas: HotspotCanvas, page: int, pixel: QPoint) -> QPointF:
    """The displayed-page point a viewport pixel lands on (the inverse, for exact checks)."""
    return canvas.page_item(page).mapFromScene(canvas.mapToScene(pixel))


def _send(
    canvas: HotspotCanvas,
    kind: QMouseEvent.Type,
    pixel: QPoint,
    button: Qt.MouseButton,
    buttons: Qt.MouseButton,
    modifiers: Qt.KeyboardModifier,
) -> None:
    local = QPointF(pixel)
    global_point = QPointF(canvas.viewport().mapToGlobal(pixel))
    event = QMouseEvent(kind, local, global_point, button, buttons, modifiers)
    QApplication.sendEvent(canvas.viewport(), event)


def drag(
    canvas: HotspotCanvas,
    start: QPoint,
    end: QPoint,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    steps: int = 6,
) -> None:
    """Press, move in steps and release the left button, as a hand would."""
    left = Qt.MouseButton.LeftButton
    _send(canvas, QMouseEvent.Type.MouseButtonPress, start, left, left, modifiers)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        _send(canvas, QMouseEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, left, modifiers)
    _send(
        canvas, QMouseEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton, modifiers
    )


def click(
    canvas: HotspotCanvas,
    pixel: QPoint,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    left = Qt.MouseButton.LeftButton
    _send(canvas, QMouseEvent.Type.MouseButtonPress, pixel, left, left, modifiers)
    _send(
        canvas, QMouseEvent.Type.MouseButtonRelease, pixel, left, Qt.MouseButton.NoButton, modifiers
    )


def shown_rect(window: EditorWindow, key: int) -> Rect:
    item = window.model.get(key)
    assert item is not None
    return display_rect(window.model.page(item.page), item.rect)
