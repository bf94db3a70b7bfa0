"""Work that runs in the rendering processes: everything that touches PyMuPDF.

PyMuPDF is not thread-safe and costs over a second to import, so the server keeps a pool of
long-lived processes and sends them plain data (paths, page numbers); they answer with plain
data (file-store names, page boxes, hotspots). Files they make go straight into the store.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from app.core.geometry import PageBox
from app.core.hotspots import AnnotationWarning, Hotspot
from app.pdf.annotation_reader import read_hotspots
from app.pdf.document import PdfDocument
from app.pdf.page_ops import delete_page, insert_pages, replace_page
from app.pdf.render import ImageFormat, render_page_and_thumbnail
from app.pdf.render_worker import cached_document
from app.pdf.text_scan import find_links, find_skus
from app.server.file_store import FileStore

log = logging.getLogger(__name__)

T = TypeVar("T")


class SourcePagesError(ValueError):
    """The conversion asks for pages its source doesn't have; the message says which."""


@dataclass(frozen=True)
class SourceInfo:
    """What a conversion needs to know about its source before rendering."""

    page_count: int
    pages: list[int]
    """The 1-based source pages the conversion takes, in order."""
    boxes: dict[int, PageBox]
    hotspots: list[Hotspot]
    """From the PDF's annotations."""
    text_hotspots: list[Hotspot]
    """Found in page text, as the extraction options asked."""
    warnings: list[AnnotationWarning]
    notices: list[str] = field(default_factory=list)


def inspect_source(
    pdf_path: str,
    pages: Sequence[int] | None,
    extraction_options: dict[str, Any] | None,
    skus: Collection[str],
    max_pages: int,
) -> SourceInfo:
    """Validate the source, choose its pages and read their hotspots.

    Raises InvalidPdfError for files that are not usable PDFs, ValueError for page numbers
    the source doesn't have.
    """
    doc = cached_document(pdf_path, max_pages)
    chosen = list(pages) if pages else list(range(1, doc.page_count + 1))
    missing = [number for number in chosen if not 1 <= number <= doc.page_count]
    if missing:
        listed = ", ".join(str(n) for n in missing[:10])
        raise SourcePagesError(
            f"The source PDF has {doc.page_count} pages; it has no page {listed}"
        )
    extraction = read_hotspots(doc, sorted(set(chosen)))
    found: list[Hotspot] = []
    options = extraction_options or {}
    for number in sorted(set(chosen)):
        if "links" in options:
            found += find_links(doc, number, icons=options["links"].get("icons", True))
        if "products" in options and skus:
            found += find_skus(doc, number, skus, icons=options["products"].get("icons", True))
    return SourceInfo(
        page_count=doc.page_count,
        pages=chosen,
        boxes={number: doc.page_box(number) for number in set(chosen)},
        hotspots=list(extraction.hotspots),
        text_hotspots=found,
        warnings=list(extraction.warnings),
        notices=list(doc.notices),
    )


@dataclass(frozen=True)
class RenderedFiles:
    page: int
    image_name: str
    thumbnail_name: str


def render_to_store(pdf_path: str, page: int, store_root: str, width: int) -> RenderedFiles:
    """Render one page (JPEG at ``width`` px and a thumbnail) into the file store."""
    doc = cached_document(pdf_path)
    image, thumbnail = render_page_and_thumbnail(doc, page, width, ImageFormat.JPEG)
    store = FileStore(Path(store_root))
    return RenderedFiles(
        page=page,
        image_name=store.put_bytes(image.data, ".jpg"),
        thumbnail_name=store.put_bytes(thumbnail.data, ".jpg"),
    )


class EditKind(StrEnum):
    INSERT = "insert"
    REPLACE = "replace"
    DELETE = "delete"


@dataclass(frozen=True)
class PageEdit:
    """How to derive a publication's new PDF from its current one."""

    kind: EditKind
    source_pages: list[int] | None = None
    position: int | None = None
    page: int | None = None
    source_page: int = 1


def edit_pdf(base_path: str, source_path: str | None, edit: PageEdit, store_root: str) -> str:
    """Apply ``edit`` to the PDF at ``base_path`` and store the result; returns its store name."""
    store = FileStore(Path(store_root))
    with PdfDocument.open(base_path, in_memory=False) as base:
        if edit.kind is EditKind.DELETE:
            delete_page(base, _required(edit.page))
        else:
            with PdfDocument.open(_required(source_path), in_memory=False) as source:
                if edit.kind is EditKind.INSERT:
                    insert_pages(
                        base, source, source_pages=edit.source_pages, position=edit.position
                    )
                else:
                    replace_page(base, _required(edit.page), source, edit.source_page)
        return store.put_bytes(base.to_bytes(), ".pdf")


def _required(value: T | None) -> T:
    if value is None:
        raise ValueError("this page edit needs a value it was not given")
    return value
