"""Everything PyMuPDF: open and validate PDFs, render pages, read and write hotspot
annotations, find links and SKUs in page text, insert, replace and delete pages.

Import the modules themselves (``app.pdf.document``, ``app.pdf.render``, ...): this package
re-exports nothing, because ``import pymupdf`` takes over a second and callers that only need
the names of this layer should not pay for it.
"""
