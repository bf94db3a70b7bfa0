"""Endpoints for what lies inside a publication or a group's catalogue: pages, conversions,
spreads, hotspots, product feeds and products. ``FolioApi`` inherits these."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from app.client.api_base import ApiBase, Fetched, fetched
from app.client.pagination import Resource, iter_items


def publication_path(group_id: int, publication_id: int) -> str:
    return f"/v2/groups/{group_id}/publications/{publication_id}"


class ContentApi(ApiBase):
    """Pages, conversions, spreads, hotspots and the product catalogue."""

    # --- pages: add and replace start a conversion, remove is immediate

    def add_pages(
        self,
        group_id: int,
        publication_id: int,
        source_url: str,
        *,
        source_page_numbers: Sequence[int] | None = None,
        position: int | None = None,
        extraction_options: Mapping[str, Any] | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """Insert pages of a PDF before ``position`` (1-based; default: at the end). Returns
        the conversion that does it."""
        body: dict[str, Any] = {"source_url": source_url}
        if source_page_numbers is not None:
            body["source_page_numbers"] = list(source_page_numbers)
        if position is not None:
            body["position"] = position
        if extraction_options is not None:
            body["extraction_options"] = dict(extraction_options)
        # Top-level fields, as the seed's own example sends them.
        return self._write_one(
            "POST",
            publication_path(group_id, publication_id) + "/pages",
            "conversion",
            body=body,
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def replace_page(
        self,
        group_id: int,
        publication_id: int,
        page_number: int,
        source_url: str,
        *,
        source_page_number: int = 1,
        remove_hotspots: bool = False,
        extraction_options: Mapping[str, Any] | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """Replace page ``page_number`` with a page of a PDF. Returns the conversion."""
        page: dict[str, Any] = {
            "source_url": source_url,
            "source_page_number": source_page_number,
            "remove_hotspots": remove_hotspots,
        }
        if extraction_options is not None:
            page["extraction_options"] = dict(extraction_options)
        return self._write_one(
            "PUT",
            f"{publication_path(group_id, publication_id)}/pages/{page_number}",
            "conversion",
            body={"page": page},
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def remove_page(
        self,
        group_id: int,
        publication_id: int,
        page_number: int,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """Remove page ``page_number`` now; returns the publication as it is afterwards."""
        response = self.session.request(
            "DELETE",
            f"{publication_path(group_id, publication_id)}/pages/{page_number}",
            if_match=if_match,
            idempotency_key=idempotency_key,
        )
        return fetched(response, "publication")

    # --- conversions

    def list_conversions(self, group_id: int, publication_id: int) -> list[Resource]:
        """The publication's last five conversions, newest first."""
        path = publication_path(group_id, publication_id) + "/conversions"
        return self._get_list(path, "conversions")

    def get_conversion(
        self,
        group_id: int,
        publication_id: int,
        conversion_id: int,
        *,
        if_none_match: str | None = None,
    ) -> Fetched:
        path = f"{publication_path(group_id, publication_id)}/conversions/{conversion_id}"
        return self._get_one(path, "conversion", if_none_match=if_none_match)

    def cancel_conversion(
        self,
        group_id: int,
        publication_id: int,
        conversion_id: int,
        *,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """Cancel a waiting or running conversion (409 StateConflictError once it ended)."""
        path = f"{publication_path(group_id, publication_id)}/conversions/{conversion_id}/cancel"
        return self._write_one("POST", path, "conversion", idempotency_key=idempotency_key)

    # --- spreads and hotspots (coordinates: fractions 0..1 of the spread, origin top-left)

    def list_spreads(self, group_id: int, publication_id: int) -> list[Resource]:
        """The spreads in reading order: id, position, page_numbers, width, height (points)."""
        return self._get_list(publication_path(group_id, publication_id) + "/spreads", "spreads")

    def list_hotspots(self, spread_id: int) -> list[Resource]:
        return self._get_list(f"/v2/spreads/{spread_id}/hotspots", "hotspots")

    def get_hotspot(
        self, spread_id: int, hotspot_id: int, *, if_none_match: str | None = None
    ) -> Fetched:
        path = f"/v2/spreads/{spread_id}/hotspots/{hotspot_id}"
        return self._get_one(path, "hotspot", if_none_match=if_none_match)

    def create_hotspot(
        self,
        spread_id: int,
        hotspot: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """``hotspot`` holds type, x, y, width, height and the type's own fields."""
        return self._write_one(
            "POST",
            f"/v2/spreads/{spread_id}/hotspots",
            "hotspot",
            body={"hotspot": dict(hotspot)},
            idempotency_key=idempotency_key,
        )

    def update_hotspot(
        self,
        spread_id: int,
        hotspot_id: int,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """PATCH: only the fields in ``changes`` change; the type can't."""
        return self._write_one(
            "PATCH",
            f"/v2/spreads/{spread_id}/hotspots/{hotspot_id}",
            "hotspot",
            body={"hotspot": dict(changes)},
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def delete_hotspot(
        self,
        spread_id: int,
        hotspot_id: int,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        self._delete(
            f"/v2/spreads/{spread_id}/hotspots/{hotspot_id}",
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    # --- product feeds and the catalogue they fill

    def list_product_feeds(self, group_id: int) -> list[Resource]:
        """The group's last five feed imports."""
        return self._get_list(f"/v2/groups/{group_id}/product_feeds", "product_feeds")

    def create_product_feed(
        self, group_id: int, url: str, *, idempotency_key: str | None = None
    ) -> Fetched:
        """Start importing the feed at ``url`` (http(s), or an upload's source_url)."""
        return self._write_one(
            "POST",
            f"/v2/groups/{group_id}/product_feeds",
            "product_feed",
            body={"product_feed": {"url": url}},
            idempotency_key=idempotency_key,
        )

    def get_product_feed(
        self, group_id: int, feed_id: int, *, if_none_match: str | None = None
    ) -> Fetched:
        path = f"/v2/groups/{group_id}/product_feeds/{feed_id}"
        return self._get_one(path, "product_feed", if_none_match=if_none_match)

    def patch_product_feed(
        self,
        group_id: int,
        feed_id: int,
        url: str,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Fetched:
        """A new import from a new url (409 StateConflictError while one is running)."""
        return self._write_one(
            "PATCH",
            f"/v2/groups/{group_id}/product_feeds/{feed_id}",
            "product_feed",
            body={"product_feed": {"url": url}},
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def delete_product_feed(
        self,
        group_id: int,
        feed_id: int,
        *,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        """Delete the feed; this also clears the group's products."""
        self._delete(
            f"/v2/groups/{group_id}/product_feeds/{feed_id}",
            if_match=if_match,
            idempotency_key=idempotency_key,
        )

    def iter_products(self, group_id: int, *, sku: str | None = None) -> Iterator[Resource]:
        """The group's catalogue (sku, title, url, image_url, price), page by page; with
        ``sku``, only that product (if the catalogue has it)."""
        params = {"sku": sku} if sku is not None else None
        return iter_items(
            self.session, f"/v2/groups/{group_id}/products", "products", params=params
        )
