"""The accuracy contract, end to end: a hotspot drawn with the mouse in the editor, saved
into the PDF, converted by a real server and read back as spread fractions lands within
0.5 PDF points of where it was drawn, on turned pages and pages with a CropBox offset, from
generated PDFs and real ones from the corpus. It also lands there when the publication is
opened in the editor again from the library."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QInputDialog

from app.core.geometry import PageBox, Rect, SpreadLayout
from app.core.hotspots import HotspotType
from app.ui.editor.editor_window import EditorWindow
from app.ui.editor.model import display_rect
from app.ui.editor.sources import load_publication
from app.ui.workspace import Workspace
from tests.conftest import SHARED, Tenant, upload, wait_for_conversion
from tests.sample_pdfs import PageSpec, build_pdf
from tests.ui.conftest import sync_and_wait
from tests.ui.editor.editor_driver import OPENED, drag, open_editor, page_point, view_point
from tests.ui.editor.test_canvas import ALT

CONTRACT = 0.5  # PDF points
CORPUS = SHARED / "corpus"
PAGES = [
    PageSpec(text="Plain"),
    PageSpec(rotation=90, text="Turned a quarter"),
    PageSpec(rotation=180, crop=(30, 40, 530, 740), text="Upside down, cropped"),
    PageSpec(rotation=270, crop=(20, 10, 420, 610), text="Turned back, cropped"),
    PageSpec(width=595, height=842, crop=(15, 25, 580, 820), text="Cropped A4"),
]


def draw_product(window: EditorWindow, page: int, sku: str) -> Rect:
    """Draw a product hotspot with the mouse on ``page``; returns where it was drawn, in
    displayed-page points (from the pixels the mouse went through)."""
    canvas = window.canvas
    canvas.scroll_to_page(page)
    width, height = window.model.page(page).size
    start = view_point(canvas, page, width * 0.21, height * 0.33)
    end = view_point(canvas, page, width * 0.58, height * 0.47)
    canvas.set_tool(HotspotType.PRODUCT)
    drag(canvas, start, end, ALT)
    item = window.model.state[-1]
    assert item.page == page and item.type is HotspotType.PRODUCT
    window.editor.set_properties(item.key, {**item.properties, "skus": [sku]}, "SKU")
    a, b = page_point(canvas, page, start), page_point(canvas, page, end)
    return Rect.spanning(a.x(), a.y(), b.x(), b.y())


def save_in_place(window: EditorWindow, qtbot: Any) -> None:
    window.actions_.actions["save"].trigger()
    qtbot.waitUntil(lambda: not window.busy, timeout=30_000)
    assert not window.editor.dirty, window.statusBar().currentMessage()


def landed(tenant: Tenant, publication_id: int) -> dict[str, Rect]:
    """Where the server shows each product hotspot: spread fractions turned back into
    points of the displayed page it sits on, by SKU."""
    spreads = tenant.api.get(
        f"/v2/groups/{tenant.group_id}/publications/{publication_id}/spreads"
    ).json()["spreads"]
    found: dict[str, Rect] = {}
    for spread in spreads:
        sizes = [(p["width"], p["height"]) for p in spread["pages"]]
        layout = SpreadLayout([PageBox(Rect(0, 0, w, h)) for w, h in sizes])
        hotspots = tenant.api.get(f"/v2/spreads/{spread['id']}/hotspots").json()["hotspots"]
        for hotspot in hotspots:
            if hotspot["type"] != "product":
                continue
            fraction = Rect(
                hotspot["x"],
                hotspot["y"],
                hotspot["x"] + hotspot["width"],
                hotspot["y"] + hotspot["height"],
            )
            index, on_page = layout.spread_to_page(fraction)
            width, height = sizes[index]
            found[hotspot["skus"][0]] = Rect(
                on_page.x0 * width, on_page.y0 * height, on_page.x1 * width, on_page.y1 * height
            )
    return found


def convert(tenant: Tenant, pdf: Path) -> int:
    body = {"publication": {"title": pdf.stem, "source_url": upload(tenant.api, pdf.read_bytes())}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/publications", json=body)
    assert response.status_code == 201, response.text
    publication_id = int(response.json()["publication"]["id"])
    done = wait_for_conversion(tenant.api, tenant.group_id, publication_id)
    assert done["state"] == "finished", done
    return publication_id


def assert_within_contract(drawn: dict[str, Rect], found: dict[str, Rect]) -> None:
    worst = 0.0
    for sku, rect in drawn.items():
        assert sku in found, f"{sku} is missing on the server: {sorted(found)}"
        assert found[sku].is_close(rect, CONTRACT), (sku, rect, found[sku])
        got = found[sku]
        worst = max(
            worst,
            *(
                abs(a - b)
                for a, b in zip(
                    (got.x0, got.y0, got.x1, got.y1),
                    (rect.x0, rect.y0, rect.x1, rect.y1),
                    strict=True,
                )
            ),
        )
    print(f"largest distance from where it was drawn: {worst:.6f} pt over {len(drawn)} hotspots")


def test_hotspots_drawn_on_turned_and_cropped_pages_land_within_half_a_point(
    converting_workspace: Workspace,
    converting_tenant: Tenant,
    tmp_path: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = tmp_path / "accuracy.pdf"
    pdf.write_bytes(build_pdf(PAGES))
    window = open_editor(pdf, qtbot, converting_workspace)
    drawn = {f"SKU-{page}": draw_product(window, page, f"SKU-{page}") for page in range(1, 6)}
    save_in_place(window, qtbot)

    # Uploaded through the editor's own action, sent by the library at the next sync.
    group = converting_workspace.library.groups()[0]
    title = str(group.data.get("title"))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (title, True))
    window.actions_.actions["publish"].trigger()
    qtbot.waitUntil(lambda: "queued" in window.statusBar().currentMessage(), timeout=10_000)
    sync_and_wait(converting_workspace, qtbot)
    listed = converting_tenant.api.get(
        f"/v2/groups/{converting_tenant.group_id}/publications"
    ).json()["publications"]
    [publication] = [p for p in listed if p["title"] == "accuracy"]
    done = wait_for_conversion(converting_tenant.api, converting_tenant.group_id, publication["id"])
    assert done["state"] == "finished", done
    assert_within_contract(drawn, landed(converting_tenant, publication["id"]))

    # Opened again in the editor from the library, each hotspot is where it was drawn.
    sync_and_wait(converting_workspace, qtbot)
    session = load_publication(converting_workspace.library, publication["id"])
    again = EditorWindow.for_publication(session, converting_workspace)
    OPENED.append(again)
    shown = {
        item.properties["skus"][0]: display_rect(again.model.page(item.page), item.rect)
        for item in again.model.state
    }
    assert_within_contract(drawn, shown)


@pytest.mark.parametrize(
    ("name", "pages"),
    [("joined.pdf", [50, 1]), ("test_4043.pdf", [1, 2])],
    ids=["joined-turned-page", "test_4043-crop-offset"],
)
def test_hotspots_drawn_on_corpus_pdfs_land_within_half_a_point(
    converting_tenant: Tenant, tmp_path: Path, qtbot: Any, name: str, pages: list[int]
) -> None:
    if not (CORPUS / name).is_file():
        pytest.skip(f"the corpus file {name} is not here")
    pdf = tmp_path / name
    shutil.copyfile(CORPUS / name, pdf)
    window = open_editor(pdf, qtbot)
    drawn = {f"CORPUS-{page}": draw_product(window, page, f"CORPUS-{page}") for page in pages}
    save_in_place(window, qtbot)
    assert_within_contract(drawn, landed(converting_tenant, convert(converting_tenant, pdf)))


def test_a_hotspot_moved_and_resized_by_mouse_keeps_the_contract(
    converting_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    pdf = tmp_path / "moved.pdf"
    pdf.write_bytes(build_pdf([PageSpec(rotation=90, crop=(50, 60, 550, 760))]))
    window = open_editor(pdf, qtbot)
    draw_product(window, 1, "MOVED")
    key = window.model.state[-1].key
    canvas = window.canvas
    rect = display_rect(window.model.page(1), window.model.get(key).rect)  # type: ignore[union-attr]
    start = view_point(canvas, 1, rect.x0 + 5, rect.y0 + 5)
    drag(canvas, start, start + QPoint(37, 23), ALT)
    window.editor.nudge(1.0, -1.0)
    item = window.model.get(key)
    assert item is not None
    final = display_rect(window.model.page(1), item.rect)
    save_in_place(window, qtbot)
    assert_within_contract(
        {"MOVED": final}, landed(converting_tenant, convert(converting_tenant, pdf))
    )
