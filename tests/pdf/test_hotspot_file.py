"""Saving the editor's hotspots into a PDF: the file then holds exactly those hotspots, other
annotations stay, and saving over the original keeps a backup and the original bytes."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from app.core.errors import HotspotSaveError, InvalidPdfError
from app.core.geometry import Rect
from app.core.hotspot_fields import hotspot_properties
from app.core.hotspots import Hotspot, HotspotType, external_link, page_reference
from app.pdf.annotation_reader import read_hotspots
from app.pdf.document import PdfDocument
from app.pdf.hotspot_file import FULL_SAVE_NOTICE, hotspot_differences, save_hotspots
from tests.pdf.conftest import corpus_file
from tests.sample_pdfs import PageSpec, build_pdf, plain_pdf, product_note

NOON = datetime(2024, 5, 17, 12, 30, 5)


def product(page: int, rect: Rect, *skus: str, **fields: Any) -> Hotspot:
    properties = hotspot_properties(HotspotType.PRODUCT, {"skus": list(skus), **fields})
    return Hotspot(HotspotType.PRODUCT, page, rect, properties)


def hotspot(kind: HotspotType, page: int, rect: Rect, /, **fields: Any) -> Hotspot:
    return Hotspot(kind, page, rect, hotspot_properties(kind, fields))


EDITED = [
    product(1, Rect(100, 600, 300, 700), "WP06-29-Black", "WP06-29-Blue", dynamic=False),
    external_link(1, Rect(10.5, 20.25, 110.125, 60.0625), "https://example.com/spring"),
    hotspot(
        HotspotType.EXTERNAL_LINK,
        2,
        Rect(50, 50, 250, 250),
        url="https://example.com/embed",
        popup=True,
        max_width=640,
        max_height=480,
    ),
    page_reference(2, Rect(400, 700, 500, 780), 3),
    hotspot(HotspotType.IMAGE, 3, Rect(0, 0, 300, 200), source="https://cdn.example.com/a.jpg"),
    hotspot(HotspotType.VIDEO, 3, Rect(300, 300, 500, 450), source="https://youtu.be/dQw4w9WgXcQ"),
]


def read_back(path: Path) -> list[Hotspot]:
    with PdfDocument.open(path) as doc:
        return read_hotspots(doc).hotspots


def assert_holds_exactly(path: Path, hotspots: list[Hotspot]) -> None:
    assert hotspot_differences(read_back(path), hotspots) == (0, 0)


def other_annotations(path: Path) -> list[tuple[str, str]]:
    """(subtype, contents) of every annotation that is not a hotspot, page by page."""
    with pymupdf.open(path) as doc:
        return [
            (annot.type[1], annot.info["content"])
            for page in doc
            for annot in page.annots()
            if not annot.info["content"].startswith("{")
        ]


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """Three pages with a product note and a link on page 1."""
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(
        build_pdf(
            [
                PageSpec(
                    links=[((100, 100, 200, 150), "https://example.com/old")],
                    notes=[((150, 450, 350, 500), product_note("OLD-SKU"))],
                ),
                PageSpec(),
                PageSpec(),
            ]
        )
    )
    return path


# --- to another file ----------------------------------------------------------------------


def test_saving_to_a_new_file_writes_exactly_the_hotspots(catalogue: Path, tmp_path: Path) -> None:
    original = catalogue.read_bytes()
    saved = save_hotspots(catalogue, EDITED, tmp_path / "out.pdf")
    assert saved.path == tmp_path / "out.pdf"
    assert (saved.backup, saved.incremental, saved.hotspot_count) == (None, False, len(EDITED))
    assert_holds_exactly(saved.path, EDITED)
    assert catalogue.read_bytes() == original


def test_saving_replaces_every_hotspot_the_file_had(catalogue: Path, tmp_path: Path) -> None:
    kept = [product(2, Rect(10, 10, 90, 90), "NEW-SKU")]
    saved = save_hotspots(catalogue, kept, tmp_path / "out.pdf")
    assert read_back(saved.path) == kept


def test_saving_no_hotspots_removes_them_all(catalogue: Path, tmp_path: Path) -> None:
    saved = save_hotspots(catalogue, [], tmp_path / "out.pdf")
    assert read_back(saved.path) == []
    assert saved.hotspot_count == 0


def test_an_existing_target_is_replaced(catalogue: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(plain_pdf(1))
    save_hotspots(catalogue, EDITED, target)
    assert_holds_exactly(target, EDITED)


def test_fields_a_pdf_cannot_hold_are_named_in_the_warnings(
    catalogue: Path, tmp_path: Path
) -> None:
    link = hotspot(
        HotspotType.EXTERNAL_LINK, 1, Rect(1, 1, 50, 50), url="https://a.test", icon=True
    )
    saved = save_hotspots(catalogue, [link], tmp_path / "out.pdf")
    assert read_back(saved.path) == [external_link(1, link.rect, "https://a.test")]
    assert saved.warnings == [
        "Page 1: the icon of a link can't be stored in a PDF and was left out."
    ]


# --- in place -----------------------------------------------------------------------------


def test_saving_in_place_appends_to_the_original_and_keeps_a_backup(catalogue: Path) -> None:
    original = catalogue.read_bytes()
    saved = save_hotspots(catalogue, EDITED, catalogue, now=NOON)
    assert saved.incremental
    assert saved.path == catalogue
    assert saved.backup == catalogue.with_name("catalogue.backup-20240517-123005.pdf")
    assert saved.backup.read_bytes() == original
    written = catalogue.read_bytes()
    assert written.startswith(original) and len(written) > len(original)
    assert_holds_exactly(catalogue, EDITED)


def test_in_place_is_recognised_through_another_spelling_of_the_path(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(catalogue.parent)
    saved = save_hotspots(Path("catalogue.pdf"), EDITED, Path("./sub/../catalogue.pdf"), now=NOON)
    assert saved.backup is not None and saved.incremental


def test_a_second_save_in_place_makes_a_second_backup(catalogue: Path) -> None:
    original = catalogue.read_bytes()
    first = save_hotspots(catalogue, EDITED, catalogue, now=NOON)
    after_first = catalogue.read_bytes()
    second = save_hotspots(catalogue, EDITED[:2], catalogue, now=NOON)
    assert first.backup is not None and second.backup is not None
    assert second.backup.name == "catalogue.backup-20240517-123005-2.pdf"
    assert first.backup.read_bytes() == original
    assert second.backup.read_bytes() == after_first
    assert catalogue.read_bytes().startswith(after_first)
    assert_holds_exactly(catalogue, EDITED[:2])


def test_backups_take_the_local_time_by_default(catalogue: Path) -> None:
    before = datetime.now().replace(microsecond=0)
    saved = save_hotspots(catalogue, EDITED, catalogue)
    assert saved.backup is not None
    stamp = saved.backup.name.removeprefix("catalogue.backup-").removesuffix(".pdf")
    assert before <= datetime.strptime(stamp, "%Y%m%d-%H%M%S") <= datetime.now()


def test_a_repaired_file_saved_in_place_is_rewritten_in_full_with_a_backup(
    tmp_path: Path,
) -> None:
    damaged = tmp_path / "issue6069.pdf"
    shutil.copyfile(corpus_file("issue6069.pdf"), damaged)
    original = damaged.read_bytes()
    hotspots = [product(1, Rect(10, 10, 100, 40), "SKU-1")]
    saved = save_hotspots(damaged, hotspots, damaged, now=NOON)
    assert not saved.incremental
    assert FULL_SAVE_NOTICE in saved.warnings
    assert saved.backup is not None and saved.backup.read_bytes() == original
    assert read_back(damaged) == hotspots
    with PdfDocument.open(damaged) as doc:
        assert not doc.repaired


# --- what stays, what goes ----------------------------------------------------------------


def test_highlights_and_comments_of_a_real_file_stay(tmp_path: Path) -> None:
    path = tmp_path / "text_annotations.pdf"
    shutil.copyfile(corpus_file("text_annotations.pdf"), path)
    before = other_annotations(path)
    assert ("Highlight", "") in before and len(before) == 8
    hotspots = [product(1, Rect(300, 300, 400, 400), "SKU-1")]
    save_hotspots(path, hotspots, path, now=NOON)
    assert other_annotations(path) == before
    assert read_back(path) == hotspots


def test_highlights_ink_and_comments_stay_while_hotspots_go(tmp_path: Path) -> None:
    source = tmp_path / "marked.pdf"
    with pymupdf.open(
        stream=build_pdf(
            [
                PageSpec(
                    notes=[
                        ((10, 10, 40, 40), "just a comment"),
                        ((50, 50, 90, 90), product_note("GONE")),
                    ],
                    links=[((100, 100, 200, 150), "https://example.com/gone")],
                )
            ]
        )
    ) as doc:
        doc[0].add_highlight_annot(pymupdf.Rect(40, 45, 200, 65))
        doc[0].add_ink_annot([[(300, 300), (350, 320), (400, 300)]])
        doc.save(source)
    saved = save_hotspots(source, EDITED[:2], tmp_path / "out.pdf")
    assert other_annotations(saved.path) == [
        ("Text", "just a comment"),
        ("Highlight", ""),
        ("Ink", ""),
    ]
    assert_holds_exactly(saved.path, EDITED[:2])


@pytest.mark.parametrize(
    "spec",
    [PageSpec(rotation=90), PageSpec(rotation=270), PageSpec(crop=(20, 30, 580, 780))],
    ids=["rotated-90", "rotated-270", "cropbox-offset"],
)
def test_rotated_and_cropped_pages_keep_user_space_rects_exactly(
    tmp_path: Path, spec: PageSpec
) -> None:
    source = tmp_path / "page.pdf"
    source.write_bytes(build_pdf([spec]))
    hotspots = [
        product(1, Rect(20.5, 30.25, 120.125, 90.75), "SKU-1"),
        external_link(1, Rect(-5, -7.5, 30, 31.0625), "https://example.com"),
    ]
    save_hotspots(source, hotspots, source, now=NOON)
    assert read_back(source) == hotspots


# --- page replacement ---------------------------------------------------------------------


def test_a_replaced_page_is_the_other_files_page_with_the_hotspots_given(
    catalogue: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.pdf"
    other.write_bytes(
        build_pdf(
            [
                PageSpec(),
                PageSpec(
                    width=400,
                    height=500,
                    notes=[
                        ((10, 10, 90, 90), product_note("FROM-OTHER")),
                        ((100, 100, 120, 120), "a reviewer's note"),
                    ],
                ),
            ]
        )
    )
    hotspots = [
        product(1, Rect(5, 5, 50, 50), "ON-NEW-PAGE"),
        page_reference(2, Rect(1, 1, 20, 20), 1),
    ]
    saved = save_hotspots(
        catalogue, hotspots, catalogue, page_replacements={1: (other, 2)}, now=NOON
    )
    assert saved.incremental
    assert read_back(catalogue) == hotspots
    with PdfDocument.open(catalogue) as doc:
        assert doc.page_count == 3
        assert doc.page_size(1) == (400, 500)
    assert other_annotations(catalogue) == [("Text", "a reviewer's note")]


def test_a_replacement_page_that_does_not_exist_changes_nothing(
    catalogue: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.pdf"
    other.write_bytes(plain_pdf(1))
    original = catalogue.read_bytes()
    with pytest.raises(HotspotSaveError, match=r"replace page 2 .* page 5 of other\.pdf"):
        save_hotspots(catalogue, EDITED, catalogue, page_replacements={2: (other, 5)}, now=NOON)
    assert catalogue.read_bytes() == original
    assert list(tmp_path.glob("*.backup-*")) == []


# --- what can't be written ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            Hotspot(HotspotType.EXTERNAL_LINK, 2, Rect(1, 1, 9, 9), {"popup": False}),
            "page 2 has no URL",
        ),
        (product(3, Rect(5, 5, 5, 50), "SKU"), "page 3 has a rectangle without an area"),
        (product(4, Rect(5, 5, 50, 50), "SKU"), "page 4, but the PDF has 3 pages"),
        (page_reference(1, Rect(5, 5, 50, 50), 7), "page 1: page 7 does not exist"),
        (
            hotspot(HotspotType.SLIDESHOW, 2, Rect(5, 5, 50, 50), images=["https://a.test/1.jpg"]),
            "a slideshow on page 2 can't be stored in a PDF",
        ),
        (external_link(3, Rect(5, 5, 50, 50), "javascript:alert(1)"), "page 3 has a link"),
    ],
    ids=["no-url", "no-area", "page-out-of-range", "target-out-of-range", "slideshow", "unsafe"],
)
def test_a_hotspot_that_cannot_be_written_leaves_the_source_untouched(
    catalogue: Path, bad: Hotspot, message: str
) -> None:
    original = catalogue.read_bytes()
    with pytest.raises(HotspotSaveError, match=message):
        save_hotspots(catalogue, [*EDITED, bad], catalogue, now=NOON)
    assert catalogue.read_bytes() == original
    assert sorted(p.name for p in catalogue.parent.iterdir()) == ["catalogue.pdf"]


def test_a_hotspot_that_cannot_be_written_creates_no_target(
    catalogue: Path, tmp_path: Path
) -> None:
    with pytest.raises(HotspotSaveError, match=r"^Can't save catalogue\.pdf: "):
        save_hotspots(catalogue, [product(9, Rect(1, 1, 9, 9), "SKU")], tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


# --- files that can't be read or written --------------------------------------------------


def test_an_encrypted_source_is_an_invalid_pdf(tmp_path: Path) -> None:
    source = tmp_path / "locked.pdf"
    with pymupdf.open(stream=plain_pdf(1)) as doc:
        doc.save(source, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="o")
    with pytest.raises(InvalidPdfError) as raised:
        save_hotspots(source, EDITED[:1], tmp_path / "out.pdf")
    assert raised.value.reason == "encrypted"
    assert not (tmp_path / "out.pdf").exists()


def test_a_broken_source_is_an_invalid_pdf(tmp_path: Path) -> None:
    source = tmp_path / "broken.pdf"
    source.write_bytes(b"this is no PDF")
    with pytest.raises(InvalidPdfError):
        save_hotspots(source, [], source, now=NOON)
    assert source.read_bytes() == b"this is no PDF"
    assert list(tmp_path.glob("*.backup-*")) == []


def test_a_missing_source_says_it_cant_be_read(tmp_path: Path) -> None:
    with pytest.raises(HotspotSaveError, match=r"^can't read gone\.pdf: the file does not exist$"):
        save_hotspots(tmp_path / "gone.pdf", [], tmp_path / "out.pdf")


def test_a_target_that_is_a_folder_cannot_be_written(catalogue: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out.pdf"
    folder.mkdir()
    with pytest.raises(HotspotSaveError, match=r"^can't write out\.pdf: it is a folder$"):
        save_hotspots(catalogue, EDITED, folder)
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue.pdf", "out.pdf"]


def test_a_target_in_a_missing_folder_cannot_be_written(catalogue: Path, tmp_path: Path) -> None:
    with pytest.raises(
        HotspotSaveError, match=r"^can't write out\.pdf: the folder does not exist$"
    ) as raised:
        save_hotspots(catalogue, EDITED, tmp_path / "missing" / "out.pdf")
    assert str(tmp_path) not in str(raised.value)


# --- failures after the backup (PyMuPDF made to fail) --------------------------------------


def test_a_failed_save_in_place_restores_the_original(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = catalogue.read_bytes()

    def disk_full(doc: pymupdf.Document) -> None:
        with open(doc.name, "ab") as file:
            file.write(b"half an update")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pymupdf.Document, "saveIncr", disk_full)
    with pytest.raises(HotspotSaveError) as raised:
        save_hotspots(catalogue, EDITED, catalogue, now=NOON)
    assert str(raised.value) == (
        "can't write catalogue.pdf: the disk is full. The original file was restored."
    )
    assert catalogue.read_bytes() == original


def test_pymupdf_refusing_an_incremental_save_falls_back_to_a_full_save(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(doc: pymupdf.Document) -> None:
        raise ValueError("incremental needs original file")

    monkeypatch.setattr(pymupdf.Document, "saveIncr", refuse)
    original = catalogue.read_bytes()
    saved = save_hotspots(catalogue, EDITED, catalogue, now=NOON)
    assert not saved.incremental and FULL_SAVE_NOTICE in saved.warnings
    assert saved.backup is not None and saved.backup.read_bytes() == original
    assert_holds_exactly(catalogue, EDITED)


def _drop_annotations(doc: pymupdf.Document) -> None:
    """What a writer that loses annotations would do."""
    for page in doc:
        doc.xref_set_key(page.xref, "Annots", "[]")


def test_a_save_in_place_that_does_not_read_back_restores_the_original(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_incrementally = pymupdf.Document.saveIncr

    def lossy(doc: pymupdf.Document) -> None:
        _drop_annotations(doc)
        save_incrementally(doc)

    monkeypatch.setattr(pymupdf.Document, "saveIncr", lossy)
    original = catalogue.read_bytes()
    with pytest.raises(HotspotSaveError) as raised:
        save_hotspots(catalogue, EDITED, catalogue, now=NOON)
    assert str(raised.value) == (
        "catalogue.pdf did not read back with the hotspots as saved (6 missing, 0 unexpected). "
        "The original file was restored."
    )
    assert catalogue.read_bytes() == original


def test_a_new_file_that_does_not_read_back_is_removed(
    catalogue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_bytes = pymupdf.Document.tobytes

    def lossy(doc: pymupdf.Document, *args: Any, **kwargs: Any) -> bytes:
        _drop_annotations(doc)
        return to_bytes(doc, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(pymupdf.Document, "tobytes", lossy)
    with pytest.raises(HotspotSaveError, match=r"6 missing, 0 unexpected\)\. The file was removed"):
        save_hotspots(catalogue, EDITED, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


# --- comparing what was read back ---------------------------------------------------------


def test_read_back_hotspots_match_in_any_order_within_a_hundredth_of_a_point() -> None:
    a = product(1, Rect(10, 10, 20, 20), "A")
    b = product(1, Rect(30, 30, 40, 40), "A")
    nudged = Hotspot(a.type, a.page, Rect(10.009, 9.991, 20, 20.005), a.properties)
    assert hotspot_differences([b, nudged], [a, b]) == (0, 0)
    moved = Hotspot(a.type, a.page, Rect(10.02, 10, 20, 20), a.properties)
    assert hotspot_differences([b, moved], [a, b]) == (1, 1)
    assert hotspot_differences([a, a], [a]) == (0, 1)


def test_only_the_five_most_recent_backups_are_kept(catalogue: Path) -> None:
    for _ in range(12):  # in the same second: -2, -3, ... -12, which must sort as numbers
        save_hotspots(catalogue, EDITED, catalogue, now=NOON)
    later = save_hotspots(catalogue, EDITED[:1], catalogue, now=NOON.replace(hour=13))
    names = sorted(p.name for p in catalogue.parent.glob("catalogue.backup-*.pdf"))
    assert names == [
        "catalogue.backup-20240517-123005-10.pdf",
        "catalogue.backup-20240517-123005-11.pdf",
        "catalogue.backup-20240517-123005-12.pdf",
        "catalogue.backup-20240517-123005-9.pdf",
        "catalogue.backup-20240517-133005.pdf",
    ]
    assert later.backup is not None and later.backup.name == names[-1]
    assert_holds_exactly(catalogue, EDITED[:1])
