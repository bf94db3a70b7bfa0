"""URL slugs: ``[a-z0-9_-]+``, made from titles and kept unique by a numeric suffix."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

SLUG_PATTERN = re.compile(r"^[a-z0-9_-]+$")
MAX_SLUG_LENGTH = 120


def slugify(title: str, fallback: str = "publication") -> str:
    """A slug for ``title``: accents folded to ASCII, runs of other characters become one dash."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_]+", "-", folded.lower()).strip("-_")
    return slug[:MAX_SLUG_LENGTH].rstrip("-_") or fallback


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= MAX_SLUG_LENGTH


def unique_slug(base: str, is_taken: Callable[[str], bool]) -> str:
    """``base`` if free, else ``base-2``, ``base-3``, ... (the first one ``is_taken`` refuses)."""
    if not is_taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)] + suffix
        if not is_taken(candidate):
            return candidate
        n += 1
