"""Folio: a desktop publishing manager for digital catalogues."""

__version__ = "0.1.0"
