"""Qt's part of ``folio self-test``: a widget drawn offscreen (no display needed)."""

from __future__ import annotations

import os


def check_qt() -> str:
    """Draw a small window offscreen; what worked, as a line. Raises on failure (a missing
    Qt plugin or library aborts the process instead, which the test's exit code shows)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import PySide6
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(["folio"])
    label = QLabel("Folio self-test")
    label.resize(240, 60)
    picture = label.grab()
    label.deleteLater()
    app.processEvents()
    if picture.isNull() or picture.width() < 240:
        raise RuntimeError("Qt drew nothing")
    return f"PySide6 {PySide6.__version__} (Qt {qVersion()}): a widget drawn offscreen"
