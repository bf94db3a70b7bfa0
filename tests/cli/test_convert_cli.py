"""``folio convert``, run as a user runs it, on PDFs made here and on corpus files."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.pdf.local_conversion import MANIFEST_NAME, ConversionCanceled, convert_pdf
from tests.cli.run_folio import folio, write
from tests.conftest import SHARED
from tests.sample_pdfs import ZERO_PAGE_PDF, catalogue_pdf, plain_pdf

CORPUS = SHARED / "corpus"


def manifest(out_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out_dir / MANIFEST_NAME).read_text("utf-8"))
    return data


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} is not here")
    return path


@pytest.fixture(scope="module")
def converted(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The three-page catalogue converted once with the defaults."""
    root = tmp_path_factory.mktemp("converted")
    pdf = write(root / "spring.pdf", catalogue_pdf())
    result = folio("convert", pdf, root / "out", data_dir=root / "data")
    return root / "out", result


def test_convert_writes_an_image_and_a_thumbnail_per_page(
    converted: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = converted
    assert result.returncode == 0, result.stderr
    names = [f"page-000{n}.jpg" for n in (1, 2, 3)]
    assert sorted(p.name for p in out.glob("*.jpg")) == names
    assert sorted(p.name for p in (out / "thumbnails").iterdir()) == names


def test_images_are_800_px_and_thumbnails_200_px_wide_jpeg(
    converted: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = converted
    for number, page in enumerate(manifest(out)["pages"], start=1):
        with Image.open(out / f"page-000{number}.jpg") as image:
            assert image.format == "JPEG" and image.width == 800
            assert image.size == (page["image_width"], page["image_height"])
        with Image.open(out / "thumbnails" / f"page-000{number}.jpg") as thumbnail:
            assert thumbnail.width == 200


def test_manifest_describes_each_page_as_displayed(
    converted: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data = manifest(converted[0])
    assert (data["source"], data["page_count"], data["width"], data["format"]) == (
        "spring.pdf",
        3,
        800,
        "jpeg",
    )
    first, rotated, cropped = data["pages"]
    assert first == {
        "number": 1,
        "width_pt": 600.0,
        "height_pt": 800.0,
        "rotation": 0,
        "crop_box": [0.0, 0.0, 600.0, 800.0],
        "image": "page-0001.jpg",
        "image_width": 800,
        "image_height": 1067,
        "thumbnail": "thumbnails/page-0001.jpg",
    }
    assert (rotated["width_pt"], rotated["height_pt"], rotated["rotation"]) == (800.0, 600.0, 90)
    assert (rotated["image_width"], rotated["image_height"]) == (800, 600)
    assert cropped["crop_box"] == [20.0, 30.0, 580.0, 780.0]


def test_manifest_lists_booklet_spreads_hotspots_and_warnings(
    converted: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data = manifest(converted[0])
    assert data["spreads"] == [[1], [2, 3]]
    assert [(h["page"], h["type"]) for h in data["hotspots"]] == [
        (1, "external_link"),
        (1, "product"),
        (2, "page_reference"),
    ]
    assert data["hotspots"][1]["rect"] == [150.0, 450.0, 350.0, 500.0]
    assert [w["page"] for w in data["warnings"]] == [3]
    assert data["notices"] == []


def test_manifest_hotspots_are_what_hotspots_extract_prints(
    converted: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    out, _ = converted
    extracted = folio("hotspots", "extract", out.parent / "spring.pdf", "--json", data_dir=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    data = manifest(out)
    assert json.loads(extracted.stdout) == {
        "hotspots": data["hotspots"],
        "warnings": data["warnings"],
    }


def test_summary_on_stdout_and_progress_lines_on_stderr(
    converted: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = converted
    assert re.match(
        rf"Converted 3 pages to {re.escape(str(out))} in \d+\.\d s \(\d+ pages/s\)\n",
        result.stdout,
    )
    # Not a terminal: a line per tenth of the pages, no carriage returns.
    assert result.stderr.splitlines()[-1] == "3/3 pages (100%)"
    assert "\r" not in result.stderr


def test_png_format_and_width_option(tmp_path: Path) -> None:
    pdf = write(tmp_path / "two.pdf", plain_pdf(2))
    result = folio(
        "convert", pdf, tmp_path / "out", "--format", "png", "--width", "300", data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "out" / "page-0002.png") as image:
        assert image.format == "PNG" and image.width == 300
    with Image.open(tmp_path / "out" / "thumbnails" / "page-0002.png") as thumbnail:
        assert thumbnail.format == "PNG" and thumbnail.width == 200
    assert manifest(tmp_path / "out")["pages"][1]["image"] == "page-0002.png"


def test_single_layout_puts_each_page_in_its_own_spread(tmp_path: Path) -> None:
    pdf = write(tmp_path / "three.pdf", plain_pdf(3))
    result = folio("convert", pdf, tmp_path / "out", "--layout", "single", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert manifest(tmp_path / "out")["spreads"] == [[1], [2], [3]]


def test_two_jobs_give_the_same_manifest_and_images_as_one(tmp_path: Path) -> None:
    pdf = write(tmp_path / "catalogue.pdf", catalogue_pdf())
    one, two = tmp_path / "one", tmp_path / "two"
    assert folio("convert", pdf, one, "--jobs", "1", data_dir=tmp_path).returncode == 0
    result = folio("convert", pdf, two, "--jobs", "2", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert manifest(one) == manifest(two)
    for image in [*one.glob("*.jpg"), *one.glob("thumbnails/*.jpg")]:
        assert image.read_bytes() == (two / image.relative_to(one)).read_bytes(), image.name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (ZERO_PAGE_PDF, "no pages"),
        (b"Just some text, not a PDF at all.\n", "not a PDF"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged"),
    ],
)
def test_unusable_pdf_exits_1_with_a_one_line_reason(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    pdf = write(tmp_path / "in.pdf", data)
    earlier = tmp_path / "out" / MANIFEST_NAME  # left by an earlier run into the same folder
    earlier.parent.mkdir()
    earlier.write_text("{}")
    result = folio("convert", pdf, tmp_path / "out", data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and reason in result.stderr, result.stderr
    assert not earlier.exists(), "a failed run leaves no manifest claiming success"


def test_password_protected_corpus_pdf_exits_1_naming_the_password(tmp_path: Path) -> None:
    result = folio(
        "convert", corpus_file("libreoffice-writer-password.pdf"), tmp_path / "o", data_dir=tmp_path
    )
    assert result.returncode == 1 and "password" in result.stderr
    assert result.stderr.count("\n") == 1


def test_renamed_word_document_exits_1(tmp_path: Path) -> None:
    result = folio(
        "convert", corpus_file("nonpdf-word97-renamed.pdf"), tmp_path / "o", data_dir=tmp_path
    )
    assert result.returncode == 1 and "not a PDF" in result.stderr


def test_missing_input_exits_1(tmp_path: Path) -> None:
    result = folio("convert", tmp_path / "nowhere.pdf", tmp_path / "out", data_dir=tmp_path)
    assert result.returncode == 1 and "no such file" in result.stderr


def test_unwritable_output_folder_exits_1(tmp_path: Path) -> None:
    pdf = write(tmp_path / "one.pdf", plain_pdf(1))
    blocker = write(tmp_path / "a-file", b"")
    result = folio("convert", pdf, blocker / "out", data_dir=tmp_path)
    assert result.returncode == 1 and "can't write to" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "options",
    [["--format", "gif"], ["--jobs", "0"], ["--width", "wide"], ["--layout", "spiral"], []],
)
def test_bad_options_are_usage_errors(tmp_path: Path, options: list[str]) -> None:
    pdf = write(tmp_path / "one.pdf", b"%PDF-")
    outdir = [] if not options else [str(tmp_path / "out")]
    assert folio("convert", pdf, *outdir, *options, data_dir=tmp_path).returncode == 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_canceled_conversion_raises_and_leaves_no_manifest(tmp_path: Path, jobs: int) -> None:
    pdf = write(tmp_path / "six.pdf", plain_pdf(6))
    out = tmp_path / "out"
    convert_pdf(pdf, out)  # an earlier, finished run into the same folder
    cancel = threading.Event()

    def cancel_after_two_pages(done: int, total: int) -> None:
        if done >= 2:
            cancel.set()

    with pytest.raises(ConversionCanceled, match="canceled after"):
        convert_pdf(pdf, out, jobs=jobs, progress=cancel_after_two_pages, cancel=cancel)
    assert not (out / MANIFEST_NAME).exists()


def test_a_corpus_book_converts_with_two_jobs(tmp_path: Path) -> None:
    book = corpus_file("pdkids.pdf")
    result = folio("convert", book, tmp_path / "out", "--jobs", "2", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    data = manifest(tmp_path / "out")
    assert data["page_count"] == 55 == len(list((tmp_path / "out").glob("page-*.jpg")))
    assert len(list((tmp_path / "out" / "thumbnails").glob("page-*.jpg"))) == 55
    assert data["spreads"][:2] == [[1], [2, 3]]
