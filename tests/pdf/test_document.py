"""Opening and validating PDFs, page boxes and saving."""

from __future__ import annotations

import io
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from app.core.errors import InvalidPdfError
from app.core.geometry import PageBox, Rect
from app.pdf.document import ENCRYPTED_MESSAGE, REPAIRED_NOTICE, PdfDocument
from tests.pdf.conftest import CORPUS, OpenPdf, PageSpec, build_pdf, corpus_file


def invalid_reason(source: bytes | Path, **options: int) -> InvalidPdfError:
    with pytest.raises(InvalidPdfError) as caught:
        PdfDocument.open(source, **options)
    return caught.value


def assert_user_message(error: InvalidPdfError) -> None:
    """A plain sentence for a user: no stack trace, no file system path."""
    message = str(error)
    assert message[:1].isupper()
    assert (
        "Traceback" not in message and ".pdf" not in message and str(CORPUS.parent) not in message
    )


# --- reasons a file is refused ------------------------------------------------------------


def test_word_document_renamed_to_pdf_is_not_a_pdf() -> None:
    error = invalid_reason(corpus_file("nonpdf-word97-renamed.pdf"))
    assert error.reason == "not_pdf"
    assert_user_message(error)


def test_png_image_is_not_a_pdf_although_pymupdf_could_open_it() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, "PNG")
    assert invalid_reason(buffer.getvalue()).reason == "not_pdf"


def test_html_page_is_not_a_pdf() -> None:
    assert invalid_reason(b"<!doctype html><html><body>%PD</body></html>").reason == "not_pdf"


def test_empty_file_is_not_a_pdf() -> None:
    assert invalid_reason(b"").reason == "not_pdf"


def test_pdf_header_after_the_first_kilobyte_is_not_accepted() -> None:
    data = build_pdf([PageSpec()])
    assert invalid_reason(b"x" * 1100 + data).reason == "not_pdf"


def test_fuzzed_file_with_pdf_header_is_damaged() -> None:
    error = invalid_reason(corpus_file("poppler-85140-0.pdf"))
    assert error.reason == "damaged"
    assert_user_message(error)


def test_pdf_header_followed_by_garbage_is_damaged() -> None:
    assert invalid_reason(b"%PDF-1.7\n" + bytes(range(256)) * 4).reason == "damaged"


def test_password_protected_pdf_is_refused_with_advice() -> None:
    error = invalid_reason(corpus_file("libreoffice-writer-password.pdf"))
    assert error.reason == "encrypted"
    assert str(error) == ENCRYPTED_MESSAGE


def test_pdf_encrypted_with_an_empty_user_password_opens() -> None:
    doc = pymupdf.open()
    doc.new_page()
    aes = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
    data = doc.tobytes(encryption=aes, owner_pw="owner", user_pw="")
    with PdfDocument.open(data) as opened:
        assert opened.page_count == 1


def test_pdf_without_pages_is_refused() -> None:
    data = b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
    data += b"2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
    error = invalid_reason(data)
    assert error.reason == "no_pages"
    assert_user_message(error)


def test_truncated_pdf_that_repairs_to_no_pages_is_refused_as_without_pages() -> None:
    data = corpus_file("WaldenFull.pdf").read_bytes()[:200_000]
    assert invalid_reason(data).reason == "no_pages"


def test_more_pages_than_allowed_is_too_large() -> None:
    error = invalid_reason(build_pdf([PageSpec()] * 3), max_pages=2)
    assert error.reason == "too_large"
    assert "3" in str(error) and "2" in str(error)


def test_as_many_pages_as_allowed_opens(open_pdf: OpenPdf) -> None:
    assert open_pdf(build_pdf([PageSpec()] * 3), max_pages=3).page_count == 3


def test_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        PdfDocument.open(tmp_path / "missing.pdf")


# --- files that open ----------------------------------------------------------------------


def test_junk_before_the_header_is_repaired_with_a_notice(open_pdf: OpenPdf) -> None:
    doc = open_pdf(corpus_file("issue6069.pdf"))
    assert doc.repaired
    assert doc.page_count == 1
    assert doc.notices == [REPAIRED_NOTICE]


def test_sound_pdf_has_no_notices(open_pdf: OpenPdf) -> None:
    doc = open_pdf(corpus_file("libre-office-link.pdf"))
    assert not doc.repaired
    assert doc.notices == []


def test_opens_from_path_string_and_bytes_alike(open_pdf: OpenPdf) -> None:
    path = corpus_file("WaldenFull.pdf")
    assert open_pdf(str(path)).page_count == 249
    assert open_pdf(path.read_bytes()).page_count == 249


def test_context_manager_closes_and_close_is_idempotent() -> None:
    with PdfDocument.open(build_pdf([PageSpec()])) as doc:
        assert not doc.closed
    assert doc.closed
    doc.close()


# --- page boxes ---------------------------------------------------------------------------


def test_page_box_is_the_raw_cropbox_in_user_space_with_a_negative_mediabox_origin(
    open_pdf: OpenPdf,
) -> None:
    doc = open_pdf(corpus_file("test_4043.pdf"))
    assert doc.page_box(1) == PageBox(Rect(20, 300, 400, 780), 0)
    assert doc.page_box(2) == PageBox(Rect(-20, -30, 500, 800), 0)
    assert doc.page_size(1) == (380, 480)


def test_page_box_of_a_small_cropbox_window(open_pdf: OpenPdf) -> None:
    doc = open_pdf(corpus_file("annotation-text-without-popup.pdf"))
    box = doc.page_box(1)
    assert box.crop.is_close(Rect(96.53124, 110.411808, 420.2299, 243.82605), 1e-3)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_page_size_is_the_displayed_size_of_cropbox_and_rotation(
    open_pdf: OpenPdf, rotation: int
) -> None:
    spec = PageSpec(mediabox=(-20, -30, 580, 770), cropbox=(10, 270, 400, 750), rotation=rotation)
    doc = open_pdf(build_pdf([spec]))
    assert doc.page_box(1) == PageBox(Rect(10, 270, 400, 750), rotation)
    expected = (480, 390) if rotation in (90, 270) else (390, 480)
    assert doc.page_size(1) == pytest.approx(expected)
    assert doc.page_size(1) == pytest.approx((doc.raw[0].rect.width, doc.raw[0].rect.height))


def test_cropbox_larger_than_the_mediabox_is_clipped_to_it(open_pdf: OpenPdf) -> None:
    spec = PageSpec(mediabox=(0, 0, 600, 800), cropbox=(-100, -100, 300, 2000))
    assert open_pdf(build_pdf([spec])).page_box(1).crop == Rect(0, 0, 300, 800)


def test_cropbox_outside_the_mediabox_is_what_mupdf_shows(open_pdf: OpenPdf) -> None:
    spec = PageSpec(mediabox=(0, 0, 600, 800), cropbox=(700, 900, 800, 1000))
    doc = open_pdf(build_pdf([spec]))
    page = doc.raw[0]
    assert doc.page_size(1) == (page.rect.width, page.rect.height)


def test_negative_rotation_is_normalised_clockwise(open_pdf: OpenPdf) -> None:
    assert open_pdf(build_pdf([PageSpec(rotation=-90)])).page_box(1).rotation == 270


@pytest.mark.parametrize("page", [0, 2, -1])
def test_page_numbers_outside_the_document_raise_value_error(open_pdf: OpenPdf, page: int) -> None:
    doc = open_pdf(build_pdf([PageSpec()]))
    with pytest.raises(ValueError, match="does not exist"):
        doc.page_box(page)


# --- saving -------------------------------------------------------------------------------


def test_to_bytes_gives_a_pdf_that_opens_with_the_same_pages(open_pdf: OpenPdf) -> None:
    doc = open_pdf(build_pdf([PageSpec(rotation=90), PageSpec(cropbox=(1, 2, 300, 400))]))
    again = open_pdf(doc.to_bytes())
    assert [again.page_box(p) for p in (1, 2)] == [doc.page_box(p) for p in (1, 2)]


def test_save_can_replace_the_file_the_document_came_from(
    open_pdf: OpenPdf, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(build_pdf([PageSpec(), PageSpec()]))
    doc = open_pdf(path)
    doc.raw.delete_page(0)
    doc.save(path)
    assert open_pdf(path).page_count == 1
    assert [p.name for p in tmp_path.iterdir()] == ["catalogue.pdf"]


def test_save_keeps_the_permissions_of_the_file_it_replaces(
    open_pdf: OpenPdf, tmp_path: Path
) -> None:
    path = tmp_path / "shared.pdf"
    path.write_bytes(build_pdf([PageSpec()]))
    path.chmod(0o640)
    open_pdf(path).save(path)
    assert path.stat().st_mode & 0o777 == 0o640
