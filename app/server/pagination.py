"""The seed's pagination: ``page`` / ``per_page`` (25 by default, 100 at most) and X-* headers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Query

from app.server.errors import FieldErrors

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_PAGE = 2**31  # keeps the row offset far inside SQLite's 64-bit integers


@dataclass(frozen=True)
class PageRequest:
    page: int | None
    per_page: int

    @property
    def offset(self) -> int:
        return ((self.page or 1) - 1) * self.per_page

    def headers(self, total: int) -> dict[str, str]:
        if self.page is None:
            return {"X-Total-Count": str(total)}
        out = {
            "X-Page": str(self.page),
            "X-Per-Page": str(self.per_page),
            "X-Total-Count": str(total),
        }
        if self.page * self.per_page < total:
            out["X-Next-Page"] = str(self.page + 1)
        if self.page > 1:
            out["X-Prev-Page"] = str(self.page - 1)
        return out


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise FieldErrors({name: ["must be a positive integer"]}) from None
    if value < 1:
        raise FieldErrors({name: ["must be a positive integer"]})
    if name == "page" and value > MAX_PAGE:
        raise FieldErrors({name: [f"must be at most {MAX_PAGE}"]})
    return value


PAGE_QUERY = Query(None, description="Page number; without it, all results")
PER_PAGE_QUERY = Query(None, description="Items per page (25 by default, max 100)")


def parse_page_request(page: str | None, per_page: str | None) -> PageRequest:
    """Validate ``page`` / ``per_page`` as received (422 on anything but positive integers)."""
    page_number = _positive_int("page", page) if page is not None else None
    size = _positive_int("per_page", per_page) if per_page is not None else DEFAULT_PER_PAGE
    return PageRequest(page=page_number, per_page=min(size, MAX_PER_PAGE))


async def page_request(
    page: str | None = PAGE_QUERY, per_page: str | None = PER_PAGE_QUERY
) -> PageRequest:
    return parse_page_request(page, per_page)
