"""Everything PyMuPDF: open and validate PDFs, render pages, read and write hotspot
annotations, find links and SKUs in page text, insert, replace and delete pages.

Import the modules themselves (``app.pdf.document``, ``app.pdf.render``, ...): this package
re-exports nothing, because ``import pymupdf`` takes over a second and callers that only need
the names of this layer should not pay for it.
"""

import sys

# PyMuPDF 2 imports its layout-analysis add-ons (an ONNX model with numpy and onnxruntime)
# when they are installed, which its package requires: about 0.75 s and 70 MB in every
# process that renders. Folio uses neither; a None entry makes their import fail, which
# PyMuPDF handles as "not installed".
for _unused_addon in ("pymupdf.layout", "pymupdf4llm"):
    sys.modules.setdefault(_unused_addon, None)  # type: ignore[arg-type]
