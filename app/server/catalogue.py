"""A group's product catalogue as hotspots and conversions use it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.server.models import Product
from app.server.presenters import product_data

LOOKUP_CHUNK = 500  # SKUs per query, well under SQLite's parameter limit


def catalogue_skus(session: Session, group_id: int) -> list[str]:
    """Every SKU of the group's catalogue (for finding SKUs in page text)."""
    return list(session.scalars(select(Product.sku).where(Product.group_id == group_id)))


def products_by_sku(session: Session, group_id: int, skus: Iterable[str]) -> dict[str, Any]:
    wanted = sorted(set(skus))
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        for product in session.scalars(
            select(Product).where(Product.group_id == group_id, Product.sku.in_(chunk))
        ):
            found[product.sku] = product_data(product)
    return found


def resolve_products(session: Session, group_id: int, hotspots: list[dict[str, Any]]) -> None:
    """Fill each product hotspot's ``products`` (those of its SKUs the catalogue has, in its
    order) and ext ``unknown_skus`` (the others), in place."""
    products = [h for h in hotspots if h.get("type") == "product"]
    if not products:
        return
    known = products_by_sku(
        session, group_id, (sku for h in products for sku in h.get("skus") or [])
    )
    for hotspot in products:
        skus = list(hotspot.get("skus") or [])
        hotspot["products"] = [known[sku] for sku in skus if sku in known]
        hotspot["unknown_skus"] = [sku for sku in skus if sku not in known]
