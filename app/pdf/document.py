"""An opened, validated PDF: the one place that decides whether a file is a usable PDF."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path
from types import TracebackType

import pymupdf

from app.core.errors import InvalidPdfError
from app.core.geometry import VALID_ROTATIONS, PageBox, Rect

logger = logging.getLogger(__name__)

# What MuPDF raises for broken input: FileDataError and EmptyFileError are RuntimeErrors, and
# errors from the C library surface as FzErrorBase subclasses.
MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, pymupdf.mupdf.FzErrorBase)

PDF_MAGIC = b"%PDF-"
# Acrobat accepts junk before the header as long as it starts within the first 1024 bytes.
HEADER_WINDOW = 1024
# MuPDF shows a page whose CropBox misses its MediaBox as US Letter at the origin.
_FALLBACK_CROP = Rect(0, 0, 612, 792)

NOT_PDF_MESSAGE = "The file is not a PDF."
DAMAGED_MESSAGE = "The PDF is damaged and can't be opened."
ENCRYPTED_MESSAGE = "The PDF is password-protected; remove the password and upload it again"
REPAIRED_NOTICE = "The PDF was damaged; it was repaired and may miss content"


class PdfDocument:
    """An opened, validated PDF. Not thread-safe (PyMuPDF isn't). Context manager; close()
    frees it.

    Page numbers are 1-based. Build one with ``PdfDocument.open``; ``raw`` (the
    ``pymupdf.Document``) is for use inside ``app.pdf`` only.
    """

    def __init__(self, raw: pymupdf.Document, notices: list[str] | None = None) -> None:
        self._raw = raw
        self.notices: list[str] = list(notices or [])

    @classmethod
    def open(
        cls,
        source: str | os.PathLike[str] | bytes,
        *,
        max_pages: int | None = None,
        in_memory: bool = True,
    ) -> PdfDocument:
        """Open and validate a PDF from a file path or from its bytes.

        A path is read into memory at once, so the file may be replaced (even by ``save``)
        while the document is open; ``in_memory=False`` reads it from disk as needed instead
        (for large files that never change, like the server's content-addressed store).
        Raises ``InvalidPdfError`` with ``reason``:
        ``not_pdf`` (no ``%PDF-`` in the first 1024 bytes, or not readable as a PDF),
        ``damaged`` (MuPDF cannot open it), ``encrypted`` (needs a password),
        ``no_pages`` (none, also after repair) or ``too_large`` (more than ``max_pages``).
        Raises ``OSError`` when a path cannot be read.
        """
        path: Path | None = None
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
        elif in_memory:
            data = Path(source).read_bytes()
        else:
            path = Path(source)
            with path.open("rb") as file:
                data = file.read(HEADER_WINDOW)
        if PDF_MAGIC not in data[:HEADER_WINDOW]:
            raise InvalidPdfError("not_pdf", NOT_PDF_MESSAGE)
        try:
            if path is not None:
                raw = pymupdf.open(str(path), filetype="pdf")
            else:
                raw = pymupdf.open(stream=data, filetype="pdf")
        except MUPDF_ERRORS as error:
            logger.info("MuPDF could not open a PDF: %s", error)
            raise InvalidPdfError("damaged", DAMAGED_MESSAGE) from None
        finally:
            _log_mupdf_warnings()
        try:
            notices = _validate(raw, max_pages)
        except BaseException:
            raw.close()
            raise
        return cls(raw, notices)

    @property
    def raw(self) -> pymupdf.Document:
        """The PyMuPDF document; for ``app.pdf`` only."""
        return self._raw

    @property
    def page_count(self) -> int:
        return int(self._raw.page_count)

    @property
    def title(self) -> str | None:
        """The title in the document's information dictionary, when it has a real one."""
        title = str((self._raw.metadata or {}).get("title") or "").strip()
        return title or None

    @property
    def repaired(self) -> bool:
        """True when MuPDF had to repair the file to open it."""
        return bool(self._raw.is_repaired)

    @property
    def closed(self) -> bool:
        return bool(self._raw.is_closed)

    def check_page(self, page: int) -> int:
        """The 0-based index of 1-based ``page``. Raises ValueError when out of range."""
        if isinstance(page, bool) or not isinstance(page, int):
            raise ValueError(f"a page number must be an integer, not {page!r}")
        if not 1 <= page <= self.page_count:
            raise ValueError(f"page {page} does not exist: the PDF has {self.page_count} pages")
        return page - 1

    def page_box(self, page: int) -> PageBox:
        """The 1-based page's CropBox in PDF user space (points, origin bottom-left, clipped
        to the MediaBox) and its clockwise /Rotate, as MuPDF displays it.
        Raises ValueError for a page that does not exist."""
        pdf_page = self._raw[self.check_page(page)]
        return PageBox(_user_crop(pdf_page), _rotation(pdf_page))

    def page_size(self, page: int) -> tuple[float, float]:
        """Displayed width and height of the 1-based page in points (rotation and CropBox
        honoured). Raises ValueError for a page that does not exist."""
        return self.page_box(page).display_size

    def to_bytes(self) -> bytes:
        """The document as PDF bytes, unused objects dropped and streams deflated."""
        return bytes(self._raw.tobytes(garbage=3, deflate=True))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the document to ``path``, replacing it atomically (even the file it came
        from) and keeping an existing file's permissions. Raises OSError when the file
        cannot be written."""
        target = Path(path)
        data = self.to_bytes()
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            with temporary.open("xb") as stream:  # "x": never clobber, and honour the umask
                stream.write(data)
            if target.exists():
                shutil.copymode(target, temporary)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Free the document; calling it again does nothing."""
        if not self._raw.is_closed:
            self._raw.close()

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _validate(raw: pymupdf.Document, max_pages: int | None) -> list[str]:
    """The notices for an opened document, or InvalidPdfError when it can't be used."""
    # PyMuPDF opens images and HTML too; filetype="pdf" should prevent that, but be sure.
    if not raw.is_pdf:
        raise InvalidPdfError("not_pdf", NOT_PDF_MESSAGE)
    # An encrypted file reports one page before authentication, so check this first.
    if raw.needs_pass and not raw.authenticate(""):
        raise InvalidPdfError("encrypted", ENCRYPTED_MESSAGE)
    try:
        page_count = raw.page_count
    except MUPDF_ERRORS as error:
        logger.info("MuPDF could not count the pages of a PDF: %s", error)
        raise InvalidPdfError("damaged", DAMAGED_MESSAGE) from None
    if page_count < 1:
        message = "The PDF has no pages."
        if raw.is_repaired:
            message = "The PDF is damaged and no pages could be recovered from it."
        raise InvalidPdfError("no_pages", message)
    if max_pages is not None and page_count > max_pages:
        raise InvalidPdfError(
            "too_large", f"The PDF has {page_count} pages; at most {max_pages} are allowed."
        )
    notices = []
    if raw.is_repaired:
        logger.info("MuPDF repaired a damaged PDF")
        notices.append(REPAIRED_NOTICE)
    return notices


def _user_crop(pdf_page: pymupdf.Page) -> Rect:
    # PyMuPDF reports the CropBox flipped against the MediaBox's top (y down); the MediaBox
    # itself is in user space. Flip it back, then clip it as MuPDF does when it displays.
    cb, mb = pdf_page.cropbox, pdf_page.mediabox
    crop = Rect.spanning(cb.x0, mb.y1 - cb.y1, cb.x1, mb.y1 - cb.y0)
    clipped = Rect(
        max(crop.x0, mb.x0), max(crop.y0, mb.y0), min(crop.x1, mb.x1), min(crop.y1, mb.y1)
    )
    if clipped.width < 1 or clipped.height < 1:
        logger.info("page %d: CropBox outside the MediaBox, shown as Letter", pdf_page.number)
        return _FALLBACK_CROP
    return clipped


def _rotation(pdf_page: pymupdf.Page) -> int:
    # MuPDF already normalises /Rotate (-90 -> 270, 450 -> 90, 45 -> 0); this is a guard.
    rotation = int(pdf_page.rotation) % 360
    return rotation if rotation in VALID_ROTATIONS else 0


def _log_mupdf_warnings() -> None:
    """Move MuPDF's accumulated warnings (repairs, syntax errors) into our log."""
    warnings = pymupdf.TOOLS.mupdf_warnings(reset=True)
    if warnings:
        logger.debug("MuPDF: %s", warnings[:2000])
