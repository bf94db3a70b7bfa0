"""Product feeds written for tests (RSS and Atom with the g: namespace), and the HTTP steps
of importing one into a tenant's group."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import Tenant

G = "http://base.google.com/ns/1.0"


def rss(*items: str) -> bytes:
    body = "".join(items)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:g="{G}">'
        f"<channel><title>Shop</title>{body}</channel></rss>"
    ).encode()


def rss_item(sku: str, title: str = "", price: str = "9.99 EUR", link: str = "") -> str:
    title = title or f"Product {sku}"
    link = link or f"https://shop.example/{sku}"
    return (
        f"<item><g:id>{sku}</g:id><title>{title}</title><link>{link}</link>"
        f"<g:image_link>https://shop.example/{sku}.jpg</g:image_link><g:price>{price}</g:price>"
        f"<g:availability>in stock</g:availability><g:brand>Acme</g:brand></item>"
    )


def atom(*entries: tuple[str, str]) -> bytes:
    body = "".join(
        f'<entry><g:id>{sku}</g:id><title>{title}</title><link href="https://shop.example/{sku}"/>'
        f"<g:price>5.00 USD</g:price></entry>"
        for sku, title in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:g="{G}"><title>Shop</title>{body}</feed>'
    ).encode()


def feeds_path(tenant: Tenant) -> str:
    return f"/v2/groups/{tenant.group_id}/product_feeds"


def start_import(tenant: Tenant, url: str) -> dict[str, Any]:
    response = tenant.api.post(feeds_path(tenant), json={"product_feed": {"url": url}})
    assert response.status_code == 201, response.text
    return response.json()["product_feed"]  # type: ignore[no-any-return]


def wait_for_import(tenant: Tenant, feed_id: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        feed = tenant.api.get(f"{feeds_path(tenant)}/{feed_id}").json()["product_feed"]
        if feed["state"] in ("success", "failed"):
            return feed  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, feed
        time.sleep(0.05)


def imported(tenant: Tenant, url: str) -> dict[str, Any]:
    return wait_for_import(tenant, start_import(tenant, url)["id"])
