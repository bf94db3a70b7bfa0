"""Folio's icon, drawn in code so every build (and the offscreen screenshot) has it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

BRAND = "#1f6feb"


def icon_pixmap(size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(BRAND))
    margin = size * 0.06
    rect = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.drawRoundedRect(rect, size * 0.2, size * 0.2)
    # A folded page corner: a catalogue, not just a letter.
    painter.setBrush(QColor("#ffffff"))
    page = QRectF(size * 0.28, size * 0.2, size * 0.44, size * 0.6)
    painter.drawRoundedRect(page, size * 0.04, size * 0.04)
    painter.setPen(QColor(BRAND))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.36))
    painter.setFont(font)
    painter.drawText(page, Qt.AlignmentFlag.AlignCenter, "F")
    painter.end()
    return pixmap


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(icon_pixmap(size))
    return icon
