"""The ``folio`` subcommands, one module per area: each adds its argparse parsers and runs them.

``app.cli`` builds the top-level parser from these and dispatches to their ``run_*`` handlers.
Heavy libraries (PyMuPDF, SQLAlchemy, FastAPI) are imported inside the handlers, so that
``folio --version`` and ``--help`` stay fast.
"""
