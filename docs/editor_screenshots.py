"""The hotspot editor's README screenshots, rendered offscreen from a demo catalogue PDF:

    .venv/bin/python docs/editor_screenshots.py [OUTDIR]

writes hotspot-editor.png (editing, a product hotspot selected, the catalogue known),
hotspot-editor-preview.png (spreads, as a reader sees them) and replace-page-preview.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.core.geometry import Rect
from app.core.hotspots import Hotspot, HotspotType
from app.pdf.demo_documents import demo_pdf
from app.server.demo_content import demo_groups
from app.ui.editor.editor_window import EditorWindow
from app.ui.editor.replace_preview import ReplacePagePreview
from app.ui.editor.sources import load_pdf
from app.ui.waiting import wait_until


def main(out: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Folio")
    out.mkdir(parents=True, exist_ok=True)
    document = demo_groups()[0].publications[0].document
    work = Path(tempfile.mkdtemp(prefix="folio-shots-"))
    pdf = work / "Spring catalogue.pdf"
    pdf.write_bytes(demo_pdf(document))
    window = EditorWindow.for_pdf(load_pdf(pdf))
    window.resize(1500, 960)
    window.show()
    skus = {str(s): p.name for p in _products(document) for s in p.skus}
    window.properties.set_catalogue(skus)
    window.lint.set_catalogue(set(skus))
    page = 3
    window.canvas.fit_page()
    window.canvas.scroll_to_page(page)
    # A designer's work in progress: one product hotspot with a SKU the catalogue lacks.
    width, height = window.model.page(page).size
    window.editor.add(
        [
            Hotspot(
                HotspotType.PRODUCT,
                page,
                Rect(width * 0.55, height * 0.08, width * 0.92, height * 0.2),
                {"skus": ["FF-9999"], "icon": True, "dynamic": True},
            )
        ]
    )
    products = [i for i in window.model.on_page(page) if i.type is HotspotType.PRODUCT]
    window.editor.select([products[0].key])
    _settle(window)
    window.grab().save(str(out / "hotspot-editor.png"))

    window.actions_.actions["spreads"].setChecked(True)
    window.canvas.set_spreads(True)
    window.actions_.actions["preview"].trigger()
    window.canvas.fit_page()
    window.canvas.scroll_to_page(4)
    _settle(window)
    window.grab().save(str(out / "hotspot-editor-preview.png"))

    old = _page_image(window, page)
    new = _page_image(window, page + 2)
    dialog = ReplacePagePreview(
        page,
        old,
        new,
        window.model.page(page).box,
        window.model.page(page + 2).box,
        [i.hotspot for i in window.model.on_page(page)],
        "Spring catalogue v2.pdf, page 5",
        window,
    )
    dialog.resize(1100, 760)
    dialog.show()
    _settle(window, 0.5)
    dialog.grab().save(str(out / "replace-page-preview.png"))
    dialog.close()
    window.editor.mark_saved()
    window.close()
    QTimer.singleShot(0, app.quit)
    print(f"screenshots in {out}")
    return 0


def _products(document: object) -> list:  # type: ignore[type-arg]
    found = []
    for page in getattr(document, "pages", ()):
        found += list(getattr(page, "products", ()))
    return found


def _page_image(window: EditorWindow, page: int) -> QImage:
    wait_until(lambda: window.images.image(page, 1.0) is not None, 10)
    image = window.images.image(page, 1.0)
    assert image is not None
    return image


def _settle(window: EditorWindow, seconds: float = 2.0) -> None:
    """Let the visible pages render at the current zoom."""
    wait_until(lambda: False, seconds)
    window.repaint()


if __name__ == "__main__":
    sys.exit(
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "screenshots")
    )
