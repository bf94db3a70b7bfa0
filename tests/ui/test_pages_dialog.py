"""The pages dialog on a server that converts: pages shown as thumbnails, pages added before
a chosen page, a page replaced and a page removed (checked on the server over HTTP), files
that are not usable PDFs refused with a message, and what it says offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf
import pytest

from app.ui.page_sources import parse_page_list
from app.ui.page_thumbnails import END
from app.ui.pages_dialog import PagesDialog
from app.ui.workspace import Workspace
from tests.conftest import SHARED, Tenant, upload, wait_for_conversion
from tests.sample_pdfs import PageSpec, build_pdf, plain_pdf
from tests.ui.conftest import sync_and_wait
from tests.ui.window_driver import answer_next_question

CORPUS = SHARED / "corpus"


def converted_publication(tenant: Tenant, pages: int, title: str = "Catalogue") -> dict[str, Any]:
    """A publication created over HTTP from an uploaded PDF, once its conversion finished."""
    body = {"publication": {"title": title, "source_url": upload(tenant.api, plain_pdf(pages))}}
    response = tenant.api.post(f"/v2/groups/{tenant.group_id}/publications", json=body)
    assert response.status_code == 201, response.text
    publication = response.json()["publication"]
    assert wait_for_conversion(tenant.api, tenant.group_id, publication["id"])["state"] == (
        "finished"
    )
    return publication  # type: ignore[no-any-return]


def server_publication(tenant: Tenant, pub_id: int) -> dict[str, Any]:
    response = tenant.api.get(f"/v2/groups/{tenant.group_id}/publications/{pub_id}")
    assert response.status_code == 200, response.text
    return response.json()["publication"][0]  # type: ignore[no-any-return]


def thumbnail_urls(tenant: Tenant, pub_id: int) -> dict[int, str]:
    path = f"/v2/groups/{tenant.group_id}/publications/{pub_id}/spreads"
    spreads = tenant.api.get(path).json()["spreads"]
    return {page["number"]: page["thumbnail_url"] for s in spreads for page in s["pages"]}


def open_dialog(
    workspace: Workspace, tenant: Tenant, pub_id: int, mode: str, qtbot: Any
) -> PagesDialog:
    dialog = PagesDialog(workspace, tenant.group_id, pub_id, mode, None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def wait_for_pages(dialog: PagesDialog, count: int, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: len(dialog.strip.page_numbers()) == count, timeout=10_000)


def wait_until_checked(dialog: PagesDialog, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: "Checking" not in dialog.file_info.text(), timeout=10_000)


def test_pages_show_as_thumbnails_from_the_library(
    converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    publication = converted_publication(converting_tenant, 3)
    sync_and_wait(converting_workspace, qtbot)
    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], "add", qtbot)

    wait_for_pages(dialog, 3, qtbot)
    qtbot.waitUntil(lambda: dialog.strip.loaded == {1, 2, 3}, timeout=20_000)
    assert [dialog.strip.item(row).text() for row in range(4)] == [
        "Page 1",
        "Page 2",
        "Page 3",
        "At the end",
    ]
    assert dialog.strip.chosen() == END  # adding appends unless told otherwise
    assert dialog.where.text() == "The new pages go at the end."
    assert "Catalogue" in dialog.heading.text()


def test_add_chosen_pages_of_a_pdf_before_a_chosen_page(
    converting_workspace: Workspace, converting_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    publication = converted_publication(converting_tenant, 3)
    before = thumbnail_urls(converting_tenant, publication["id"])
    source = tmp_path / "inserts.pdf"
    source.write_bytes(build_pdf([PageSpec(text=f"Insert {n}", width=500) for n in range(4)]))
    changed: list[object] = []
    converting_workspace.changed.connect(changed.append)

    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], "add", qtbot)
    wait_for_pages(dialog, 3, qtbot)  # from the server: not synced into the library yet
    assert dialog.strip.choose(2)
    assert dialog.where.text() == "The new pages go before page 2."
    dialog.set_source_file(source)
    wait_until_checked(dialog, qtbot)
    assert "4 pages" in dialog.file_info.text()
    dialog.some_pages.setChecked(True)
    dialog.page_list.setText("2-3")
    dialog.action_button.click()

    qtbot.waitUntil(lambda: "Done" in dialog.status.text(), timeout=60_000)
    assert dialog.status.text() == "Done: 2 pages added."
    assert dialog.progress.state == "finished"
    assert dialog.progress.progress.value() == dialog.progress.progress.maximum() == 2
    assert server_publication(converting_tenant, publication["id"])["page_count"] == 5
    after = thumbnail_urls(converting_tenant, publication["id"])
    # The old page 2 moved to 4, behind the two new ones.
    assert (after[1], after[4], after[5]) == (before[1], before[2], before[3])
    assert changed
    wait_for_pages(dialog, 5, qtbot)  # the thumbnails follow


def test_a_page_list_that_does_not_fit_the_pdf_is_explained_before_sending(
    converting_workspace: Workspace, converting_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    publication = converted_publication(converting_tenant, 2)
    source = tmp_path / "two.pdf"
    source.write_bytes(plain_pdf(2))
    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], "add", qtbot)
    wait_for_pages(dialog, 2, qtbot)
    dialog.set_source_file(source)
    wait_until_checked(dialog, qtbot)
    dialog.some_pages.setChecked(True)
    dialog.page_list.setText("1, 3-4")
    dialog.submit()
    assert "pages 1 to 2 only" in dialog.status.text()
    assert not dialog.busy
    path = f"/v2/groups/{converting_tenant.group_id}/publications/{publication['id']}/conversions"
    assert len(converting_tenant.api.get(path).json()["conversions"]) == 1  # nothing started


def test_replace_a_page_with_a_chosen_page_of_a_pdf(
    converting_workspace: Workspace, converting_tenant: Tenant, tmp_path: Path, qtbot: Any
) -> None:
    publication = converted_publication(converting_tenant, 3)
    before = thumbnail_urls(converting_tenant, publication["id"])
    source = tmp_path / "new-page.pdf"
    source.write_bytes(build_pdf([PageSpec(text="Unused"), PageSpec(text="New page two")]))

    dialog = open_dialog(
        converting_workspace, converting_tenant, publication["id"], "replace", qtbot
    )
    wait_for_pages(dialog, 3, qtbot)
    assert dialog.strip.chosen() is None  # the page to replace is the user's choice
    dialog.submit()
    assert dialog.status.text() == "Choose the page to replace."
    dialog.strip.choose(2)
    dialog.set_source_file(source)
    wait_until_checked(dialog, qtbot)
    dialog.source_page.setValue(2)
    assert dialog.keep_hotspots.isChecked()
    dialog.submit()

    qtbot.waitUntil(lambda: "Done" in dialog.status.text(), timeout=60_000)
    assert dialog.progress.kind.text() == "Replace page"
    assert server_publication(converting_tenant, publication["id"])["page_count"] == 3
    after = thumbnail_urls(converting_tenant, publication["id"])
    assert after[1] == before[1] and after[3] == before[3]
    assert after[2] != before[2]


def test_remove_a_page_asks_first_then_the_page_count_drops(
    converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    publication = converted_publication(converting_tenant, 3)
    sync_and_wait(converting_workspace, qtbot)
    dialog = open_dialog(
        converting_workspace, converting_tenant, publication["id"], "remove", qtbot
    )
    wait_for_pages(dialog, 3, qtbot)
    dialog.strip.choose(3)
    assert dialog.where.text() == "Page 3 will be removed."

    answer_next_question("Cancel")
    dialog.action_button.click()
    assert server_publication(converting_tenant, publication["id"])["page_count"] == 3

    answer_next_question("Remove page")
    dialog.action_button.click()
    qtbot.waitUntil(lambda: "removed" in dialog.status.text(), timeout=30_000)
    assert dialog.status.text() == "Page 3 was removed. The publication has 2 pages now."
    assert server_publication(converting_tenant, publication["id"])["page_count"] == 2
    wait_for_pages(dialog, 2, qtbot)
    assert dialog.strip.chosen() is None


def _encrypted_pdf(path: Path) -> Path:
    document = pymupdf.open(stream=plain_pdf(1), filetype="pdf")
    document.save(str(path), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret")
    return path


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("notes.pdf", lambda p: p.write_text("just some notes") and p, "not a PDF"),
        ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + b"\x00junk" * 300) and p, "damaged"),
        ("locked.pdf", _encrypted_pdf, "password"),
        ("missing.pdf", lambda p: p, "could not be read"),
    ],
)
def test_a_file_that_is_not_a_usable_pdf_is_refused_and_the_dialog_stays(
    name: str,
    make: Any,
    says: str,
    converting_workspace: Workspace,
    converting_tenant: Tenant,
    tmp_path: Path,
    qtbot: Any,
) -> None:
    publication = converted_publication(converting_tenant, 2)
    dialog = open_dialog(converting_workspace, converting_tenant, publication["id"], "add", qtbot)
    wait_for_pages(dialog, 2, qtbot)
    dialog.set_source_file(make(tmp_path / name))
    wait_until_checked(dialog, qtbot)
    assert f"“{name}” can't be used" in dialog.file_info.text()
    assert says in dialog.file_info.text()
    assert "#c62828" in dialog.file_info.styleSheet()

    dialog.submit()
    assert dialog.isVisible() and not dialog.busy
    assert "can't be used" in dialog.status.text()
    assert server_publication(converting_tenant, publication["id"])["page_count"] == 2


@pytest.mark.parametrize(
    "name", ["nonpdf-word97-renamed.pdf", "poppler-85140-0.pdf", "libreoffice-writer-password.pdf"]
)
def test_real_world_unusable_files_are_refused(
    name: str, converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    if not (CORPUS / name).is_file():
        pytest.skip("the shared corpus is not here")
    publication = converted_publication(converting_tenant, 1)
    dialog = open_dialog(
        converting_workspace, converting_tenant, publication["id"], "replace", qtbot
    )
    dialog.set_source_file(CORPUS / name)
    wait_until_checked(dialog, qtbot)
    assert "can't be used" in dialog.file_info.text()
    assert dialog.source_pages == 0


def test_offline_the_dialog_says_so_and_sends_nothing(
    converting_workspace: Workspace, converting_tenant: Tenant, qtbot: Any
) -> None:
    publication = converted_publication(converting_tenant, 2)
    sync_and_wait(converting_workspace, qtbot)
    converting_workspace.connection = None
    dialog = open_dialog(
        converting_workspace, converting_tenant, publication["id"], "remove", qtbot
    )
    wait_for_pages(dialog, 2, qtbot)  # as last synced
    assert "not connected" in dialog.notice.text()
    assert not dialog.action_button.isEnabled()
    dialog.strip.choose(1)
    dialog.submit()
    assert "not connected" in dialog.status.text()
    assert server_publication(converting_tenant, publication["id"])["page_count"] == 2


@pytest.mark.parametrize(
    ("text", "pages"),
    [("1-3, 5", [1, 2, 3, 5]), ("4", [4]), (" 2 - 3 ,1", [2, 3, 1]), ("5,5", [5, 5])],
)
def test_page_lists_read_numbers_and_ranges(text: str, pages: list[int]) -> None:
    assert parse_page_list(text, 5) == pages


@pytest.mark.parametrize(
    ("text", "says"),
    [("", "Enter the pages"), ("2-x", "not a page"), ("4-2", "backwards"), ("0", "pages 1 to 5")],
)
def test_page_lists_that_make_no_sense_say_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_page_list(text, 5)
