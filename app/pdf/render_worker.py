"""What a rendering process keeps between tasks: the documents it has open, and how it
reacts to stop signals. Shared by the server's pool and ``folio convert``'s.

Opening a PDF parses its cross-reference table and page tree, so a process keeps the last
few documents it used; pages of one file usually come one after another.
"""

from __future__ import annotations

import signal
from collections import OrderedDict

from app.pdf.document import PdfDocument

OPEN_DOCUMENTS = 2
_documents: OrderedDict[str, PdfDocument] = OrderedDict()


def init_worker() -> None:
    """Pool initializer: stop signals reaching the whole process group (Ctrl+C, a service
    manager's SIGTERM) are the parent's to act on; it stops its pool itself. A rendering
    process that died half-way through a page would only turn a clean stop into a failure."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def cached_document(path: str, max_pages: int | None = None) -> PdfDocument:
    """The open document at ``path``, opened once per process and kept for later tasks.

    Read from disk as needed, not held in memory: the callers' files don't change while
    they convert them. Raises InvalidPdfError like ``PdfDocument.open``.
    """
    doc = _documents.get(path)
    if doc is not None:
        _documents.move_to_end(path)
        return doc
    doc = PdfDocument.open(path, max_pages=max_pages, in_memory=False)
    _documents[path] = doc
    while len(_documents) > OPEN_DOCUMENTS:
        _, old = _documents.popitem(last=False)
        old.close()
    return doc


def forget_documents() -> None:
    """Close the kept documents (frees their memory between jobs)."""
    while _documents:
        _, doc = _documents.popitem()
        doc.close()
