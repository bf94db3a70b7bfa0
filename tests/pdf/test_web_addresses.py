"""Which link addresses a hotspot may open, and how addresses without a scheme are read."""

from __future__ import annotations

import pytest

from app.core.hotspots import NotAHotspot
from app.pdf.web_addresses import MAX_ADDRESS_LENGTH, looks_like_host, web_address


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ("mailto:a@example.com", "mailto:a@example.com"),
        ("tel:+49 30 1234", "tel:+49 30 1234"),
        ("www.example.com", "http://www.example.com"),
        ("www.example.com:8080/x", "http://www.example.com:8080/x"),
        ("shop.example.co.uk/sale?x=1", "http://shop.example.co.uk/sale?x=1"),
        ("//cdn.example.com/a.js", "http://cdn.example.com/a.js"),
        ("a.b+c@example.org", "mailto:a.b+c@example.org"),
        ("www.catalogue.pdf", "http://www.catalogue.pdf"),
    ],
)
def test_usable_addresses(raw: str, address: str) -> None:
    assert web_address(raw) == address


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>",
        "file:///C:/x.pdf",
        "vbscript:x",
        "price-list.pdf",
        "docs/manual.html",
        "#page=2",
        "   ",
        "x" * (MAX_ADDRESS_LENGTH + 1),
    ],
)
def test_unusable_addresses_say_why(raw: str) -> None:
    with pytest.raises(NotAHotspot, match="a link"):
        web_address(raw)


def test_file_names_are_not_host_names_unless_they_start_with_www() -> None:
    assert not looks_like_host("report.pdf")
    assert looks_like_host("example.com")
    assert looks_like_host("www.report.pdf")
