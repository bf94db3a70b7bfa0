"""``folio hotspots extract | add | lint``, run as a user runs them, on PDFs made here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.core.geometry import Rect
from app.core.sku_list import load_catalogue_skus
from app.pdf.annotation_reader import read_hotspots
from app.pdf.document import PdfDocument
from tests.cli.run_folio import folio, write
from tests.conftest import SHARED
from tests.sample_pdfs import PageSpec, build_pdf, catalogue_pdf, plain_pdf, product_note


def extract(pdf: Path, data_dir: Path) -> dict[str, Any]:
    result = folio("hotspots", "extract", pdf, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    return write(tmp_path / "catalogue.pdf", catalogue_pdf())


def test_extract_prints_a_table_of_page_type_rect_and_what_each_opens(
    catalogue: Path, tmp_path: Path
) -> None:
    result = folio("hotspots", "extract", catalogue, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = [re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines()[:4]]
    assert header == ["PAGE", "TYPE", "RECT (pt: x0, y0, x1, y1)", "DETAILS"]
    assert rows == [
        ["1", "external_link", "100, 600, 300, 650", "https://example.com/spring"],
        ["1", "product", "150, 450, 350, 500", "WP06-29-Black"],
        ["2", "page_reference", "50, 50, 150, 100", "page 3"],
    ]
    assert "page 3: not a hotspot: a text annotation whose contents are not JSON" in result.stdout


def test_extract_json_gives_hotspots_in_user_space_and_warnings(
    catalogue: Path, tmp_path: Path
) -> None:
    assert extract(catalogue, tmp_path) == {
        "hotspots": [
            {
                "page": 1,
                "type": "external_link",
                "rect": [100.0, 600.0, 300.0, 650.0],
                "properties": {"url": "https://example.com/spring", "popup": False},
            },
            {
                "page": 1,
                "type": "product",
                "rect": [150.0, 450.0, 350.0, 500.0],
                "properties": {"skus": ["WP06-29-Black"], "icon": True, "dynamic": True},
            },
            {
                "page": 2,
                "type": "page_reference",
                "rect": [50.0, 50.0, 150.0, 100.0],
                "properties": {"page": 3},
            },
        ],
        "warnings": [{"page": 3, "reason": "a text annotation whose contents are not JSON"}],
    }


def test_add_product_then_extract_gives_back_the_rect_within_a_hundredth_point(
    catalogue: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.pdf"
    result = folio(
        "hotspots", "add", catalogue, out, "--page", "2", "--rect", "12.345,67.891,210.5,300.25",
        "--type", "product", "--sku", "SKU-1", "--sku", "SKU-2", "--no-icon", "--static",
        data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Added a product hotspot on page 2")
    added = extract(out, tmp_path)["hotspots"][-1]
    assert (added["page"], added["type"]) == (2, "product")
    assert added["properties"] == {"skus": ["SKU-1", "SKU-2"], "icon": False, "dynamic": False}
    expected = [12.345, 67.891, 210.5, 300.25]
    assert all(abs(a - b) <= 0.01 for a, b in zip(added["rect"], expected, strict=True))


@pytest.mark.parametrize(
    ("options", "properties"),
    [
        (["--type", "external_link", "--url", "https://shop.example.com/a?b=1"],
         {"url": "https://shop.example.com/a?b=1", "popup": False}),
        (["--type", "page_reference", "--target-page", "1"], {"page": 1}),
    ],
)  # fmt: skip
def test_add_links_and_page_references_round_trip(
    catalogue: Path, tmp_path: Path, options: list[str], properties: dict[str, Any]
) -> None:
    out = tmp_path / "out.pdf"
    result = folio(
        "hotspots", "add", catalogue, out, "--page", "3", "--rect", "100,100,200,150", *options,
        data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # Read back in this process: the same reader `hotspots extract` prints from.
    with PdfDocument.open(out) as doc:
        added = read_hotspots(doc, [3]).hotspots[-1]
    assert (added.rect, added.properties) == (Rect(100, 100, 200, 150), properties)


def test_add_keeps_the_input_file_unchanged(catalogue: Path, tmp_path: Path) -> None:
    before = catalogue.read_bytes()
    result = folio(
        "hotspots", "add", catalogue, tmp_path / "out.pdf", "--page", "1", "--rect", "1,1,50,50",
        "--type", "product", "--sku", "A", data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert catalogue.read_bytes() == before


def test_add_refuses_to_write_over_the_input(catalogue: Path, tmp_path: Path) -> None:
    before = catalogue.read_bytes()
    result = folio(
        "hotspots", "add", catalogue, tmp_path / "." / catalogue.name, "--page", "1", "--rect",
        "1,1,50,50", "--type", "product", "--sku", "A", data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2 and "another file than IN.pdf" in result.stderr
    assert catalogue.read_bytes() == before


def test_add_to_a_page_the_pdf_lacks_exits_1(catalogue: Path, tmp_path: Path) -> None:
    result = folio(
        "hotspots", "add", catalogue, tmp_path / "out.pdf", "--page", "4", "--rect", "1,1,50,50",
        "--type", "product", "--sku", "A", data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "folio: page 4 does not exist: the PDF has 3 pages\n"
    assert not (tmp_path / "out.pdf").exists()


def test_add_warns_about_a_hotspot_past_the_page_edge_but_writes_it(
    catalogue: Path, tmp_path: Path
) -> None:
    result = folio(
        "hotspots", "add", catalogue, tmp_path / "out.pdf", "--page", "1",
        "--rect=-20,10,100,60", "--type", "product", "--sku", "A", data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning: page 1:" in result.stderr and "20 pt past the edge" in result.stderr


@pytest.mark.parametrize(
    "options",
    [
        ["--rect", "1,2,3"],
        ["--rect", "a,b,c,d"],
        ["--rect", "10,10,10,50"],
        ["--rect", "1,1,50,50", "--url", "https://example.com"],
        ["--rect", "1,1,50,50", "--page", "0"],
    ],
)
def test_add_with_malformed_options_is_a_usage_error(tmp_path: Path, options: list[str]) -> None:
    result = folio(
        "hotspots", "add", "in.pdf", tmp_path / "out.pdf", "--page", "1", "--type", "product",
        "--sku", "A", *options, data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2


@pytest.mark.parametrize(
    "options",
    [
        ["--type", "product"],
        ["--type", "external_link"],
        ["--type", "external_link", "--url", "javascript:alert(1)"],
        ["--type", "page_reference"],
    ],
)
def test_add_without_what_the_type_needs_is_a_usage_error(
    tmp_path: Path, options: list[str]
) -> None:
    result = folio(
        "hotspots", "add", "in.pdf", tmp_path / "out.pdf", "--page", "1", "--rect", "1,1,50,50",
        *options, data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2 and "error:" in result.stderr


def test_lint_of_sound_hotspots_exits_0(catalogue: Path, tmp_path: Path) -> None:
    result = folio("hotspots", "lint", catalogue, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "No problems found in 3 hotspots."


def test_lint_prints_a_line_per_finding_and_exits_1(tmp_path: Path) -> None:
    pdf = write(
        tmp_path / "flawed.pdf",
        build_pdf(
            [
                PageSpec(links=[((10, 10, 100, 100), "ftp://files.example.com/x")]),
                PageSpec(notes=[((650, 10, 700, 60), product_note("A"))]),
            ]
        ),
    )
    result = folio("hotspots", "lint", pdf, data_dir=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("page 1: The link to ftp://files.example.com/x")
    assert "leads nowhere" in lines[0]
    assert lines[1].startswith("page 2: The product hotspot for A")
    assert "outside the visible page" in lines[1]
    assert lines[-1] == "2 problems in 2 of 2 hotspots."


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("products.csv", "\ufeffTitle,SKU,Price\nShoe,WP06-29-Black,10\nHat,H-1,5\n"),
        ("quoted.csv", 'id,description\n"WP06-29-Black","two\nlines"\nH-1,x\n'),
        ("feed.tsv", "g:id\tg:title\nWP06-29-Black\tShoe\nH-1\tHat\n"),
        ("skus.txt", "H-1\n\n  WP06-29-Black  \n"),
        ("one-column.csv", "SKU\nH-1\nWP06-29-Black\n"),
    ],
)
def test_catalogue_skus_come_from_a_sku_or_id_column_or_one_a_line(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert load_catalogue_skus(path) == {"WP06-29-Black", "H-1"}


def test_lint_with_a_catalogue_passes_known_skus(catalogue: Path, tmp_path: Path) -> None:
    feed = tmp_path / "products.csv"
    feed.write_text("SKU,title\nWP06-29-Black,Shoe\n", encoding="utf-8")
    result = folio("hotspots", "lint", catalogue, "--catalogue", feed, data_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == (
        "No problems found in 3 hotspots (against 1 catalogue SKU)."
    )


def test_lint_with_a_catalogue_names_the_skus_it_lacks(catalogue: Path, tmp_path: Path) -> None:
    feed = tmp_path / "products.csv"
    feed.write_text("id,title\nOTHER-1,Hat\n", encoding="utf-8")
    result = folio("hotspots", "lint", catalogue, "--catalogue", feed, data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "page 1: The product hotspot for WP06-29-Black at (150, 450) to (350, 500) pt names "
        "a SKU the catalogue doesn't have: WP06-29-Black.\n"
    )


def test_lint_with_a_table_lacking_a_sku_column_exits_1(catalogue: Path, tmp_path: Path) -> None:
    feed = tmp_path / "products.csv"
    feed.write_text("title,price\nHat,5\n", encoding="utf-8")
    result = folio("hotspots", "lint", catalogue, "--catalogue", feed, data_dir=tmp_path)
    assert result.returncode == 1 and "no column named sku, id or g:id" in result.stderr


def test_lint_help_states_the_exit_status(tmp_path: Path) -> None:
    result = folio("hotspots", "lint", "--help", data_dir=tmp_path)
    assert result.returncode == 0
    assert "exit status: 0 when no hotspot has a finding, 1 when some have" in result.stdout


def test_hotspot_commands_on_an_unusable_pdf_exit_1(tmp_path: Path) -> None:
    pdf = write(tmp_path / "notes.pdf", b"plain text\n")
    result = folio("hotspots", "extract", pdf, data_dir=tmp_path)
    assert result.returncode == 1 and result.stderr == "folio: notes.pdf: The file is not a PDF.\n"


def test_extract_reads_a_corpus_file_with_annotations(tmp_path: Path) -> None:
    path = SHARED / "corpus" / "annotation-link-text-popup.pdf"
    if not path.is_file():
        pytest.skip("corpus file is not here")
    data = extract(path, tmp_path)
    assert set(data) == {"hotspots", "warnings"}
    assert all(len(h["rect"]) == 4 and h["page"] >= 1 for h in data["hotspots"])


def test_extract_of_a_pdf_without_annotations_lists_none(tmp_path: Path) -> None:
    pdf = write(tmp_path / "plain.pdf", plain_pdf(2))
    result = folio("hotspots", "extract", pdf, data_dir=tmp_path)
    assert result.returncode == 0 and result.stdout == "0 hotspots on 0 of 2 pages.\n"


_G = 'xmlns:g="http://base.google.com/ns/1.0"'


@pytest.fixture
def two_product_pdf(tmp_path: Path) -> Path:
    """A product hotspot for H-1 on page 1 and for Z-9 on page 2."""
    return write(
        tmp_path / "products.pdf",
        build_pdf(
            [
                PageSpec(notes=[((100, 100, 200, 150), product_note("H-1"))]),
                PageSpec(notes=[((300, 400, 350, 450), product_note("Z-9"))]),
            ]
        ),
    )


def test_lint_with_an_rss_feed_names_the_unknown_skus_and_their_pages(
    two_product_pdf: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {_G}><channel>\n'
        "<item><g:id>H-1</g:id><title>Hat</title></item>\n"
        "<item><g:id>B-2</g:id><title>Bag</title></item>\n"
        # Not a usable item (no title): its SKU is not in the catalogue.
        "<item><g:id>Z-9</g:id></item>\n"
        "</channel></rss>\n",
        encoding="utf-8",
    )
    result = folio("hotspots", "lint", two_product_pdf, "--catalogue", feed, data_dir=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "page 2: The product hotspot for Z-9 at (300, 400) to (350, 450) pt names a SKU the "
        "catalogue doesn't have: Z-9.",
        "1 problem in 1 of 2 hotspots (against 2 catalogue SKUs).",
    ]


def test_lint_with_an_atom_feed_passes_the_skus_it_lists(
    two_product_pdf: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "products.atom"
    feed.write_text(
        f'<feed xmlns="http://www.w3.org/2005/Atom" {_G}><title>Shop</title>\n'
        '<entry><g:id>H-1</g:id><title>Hat</title><link href="https://shop.test/h"/></entry>\n'
        "<entry><g:id>Z-9</g:id><title>Zip</title></entry>\n"
        "</feed>\n",
        encoding="utf-8",
    )
    result = folio("hotspots", "lint", two_product_pdf, "--catalogue", feed, data_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == (
        "No problems found in 2 hotspots (against 2 catalogue SKUs)."
    )


def test_lint_with_an_entity_bomb_as_catalogue_exits_1_with_one_line(
    two_product_pdf: Path, tmp_path: Path
) -> None:
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{f"&{chr(97 + n)};" * 10}">' for n in range(9)
    )
    feed = tmp_path / "bomb.xml"
    feed.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [{entities}]>\n'
        f"<rss {_G}><channel><item><g:id>&j;</g:id><title>&j;</title></item></channel></rss>\n",
        encoding="utf-8",
    )
    result = folio("hotspots", "lint", two_product_pdf, "--catalogue", feed, data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "folio: the catalogue bomb.xml can't be used: the feed declares XML entities, which "
        "Folio refuses for safety\n"
    )
