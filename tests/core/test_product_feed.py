"""What ``iter_feed`` makes of product feeds written to disk, one behaviour a test; and the
catalogue SKUs ``load_catalogue_skus`` takes from them."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from app.core.product_feed import FeedError, FeedItem, FeedItemError, iter_feed
from app.core.sku_list import CatalogueError, load_catalogue_skus

G = 'xmlns:g="http://base.google.com/ns/1.0"'
RSS_START = f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {G}>\n<channel>\n'
RSS_END = "</channel>\n</rss>\n"
ATOM_START = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" {G}>\n'
)
ATOM_END = "</feed>\n"

SHOE = FeedItem(
    sku="WP06-29-Black",
    title="Walking shoe",
    description="Leather, size 29",
    url="https://shop.example.com/shoe",
    image_url="https://img.example.com/shoe.jpg",
    price="19.99 EUR",
    availability="in stock",
    brand="Acme",
)
HAT = FeedItem("H-1", "Hat", None, None, None, None, None, None)


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def rss(*items: str) -> str:
    return (
        RSS_START
        + "<title>Shop</title><link>https://shop.example.com</link>\n"
        + ("".join(f"<item>{item}</item>\n" for item in items) + RSS_END)
    )


def parse(path: Path) -> list[FeedItem | FeedItemError]:
    return list(iter_feed(path))


def feed_error(path: Path) -> str:
    with pytest.raises(FeedError) as caught:
        parse(path)
    return str(caught.value)


SHOE_RSS = (
    "<g:id> WP06-29-Black </g:id><title>Walking shoe</title>"
    "<description>Leather, size 29</description><link>https://shop.example.com/shoe</link>"
    "<g:image_link>https://img.example.com/shoe.jpg</g:image_link>"
    "<g:price> 19.99 EUR </g:price><g:availability>in stock</g:availability>"
    "<g:brand>Acme</g:brand>"
)


# --- the three formats


def test_rss_items_give_every_field(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.xml", rss(SHOE_RSS, "<g:id>H-1</g:id><g:title>Hat</g:title>"))
    assert parse(path) == [SHOE, HAT]


def test_rss_g_fields_win_over_plain_ones_and_entities_of_xml_itself_are_read(
    tmp_path: Path,
) -> None:
    item = (
        "<g:id>A</g:id><title>Plain</title><g:title>Tom &amp; Jerry &#8364;</g:title>"
        "<link>https://a.example.com/plain</link><g:link>https://a.example.com/g</g:link>"
        "<g:description></g:description><description><![CDATA[<b>Bold</b>]]></description>"
    )
    [parsed] = parse(write(tmp_path / "feed.xml", rss(item)))
    assert isinstance(parsed, FeedItem)
    assert (parsed.title, parsed.url, parsed.description) == (
        "Tom & Jerry \u20ac",
        "https://a.example.com/g",
        "<b>Bold</b>",
    )


def test_atom_entries_give_every_field(tmp_path: Path) -> None:
    entries = (
        "<entry><g:id>WP06-29-Black</g:id><title>Walking shoe</title>"
        "<summary>Leather, size 29</summary>"
        '<link rel="self" href="https://shop.example.com/feed/1"/>'
        '<link rel="alternate" href="https://shop.example.com/shoe"/>'
        "<g:image_link>https://img.example.com/shoe.jpg</g:image_link>"
        "<g:price>19.99 EUR</g:price><g:availability>in stock</g:availability>"
        "<g:brand>Acme</g:brand></entry>\n"
        '<entry><g:id>H-1</g:id><title>Hat</title><content type="text">Wool</content>'
        '<link href="https://shop.example.com/hat"/></entry>\n'
    )
    path = write(tmp_path / "feed.atom", ATOM_START + "<title>Shop</title>\n" + entries + ATOM_END)
    hat = FeedItem("H-1", "Hat", "Wool", "https://shop.example.com/hat", None, None, None, None)
    assert parse(path) == [SHOE, hat]


def test_csv_with_merchant_headers_gives_every_field(tmp_path: Path) -> None:
    text = (
        "g:ID,Title,Description,Link,Image Link,PRICE,g:availability,brand,color\n"
        'WP06-29-Black,Walking shoe,"Leather, size 29",https://shop.example.com/shoe,'
        "https://img.example.com/shoe.jpg,19.99 EUR,in stock,Acme,black\n"
        "H-1,Hat,,,,,,\n"
    )
    assert parse(write(tmp_path / "feed.txt", text)) == [SHOE, HAT]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tsv_and_semicolon_tables_with_sku_url_and_image_url_columns(
    tmp_path: Path, delimiter: str
) -> None:
    rows = [
        ["sku", "title", "description", "url", "image_url", "price", "availability", "brand"],
        [*SHOE.as_dict().values()],
        ["H-1", "Hat"],
    ]
    text = "".join(delimiter.join(str(cell) for cell in row) + "\r\n" for row in rows)
    assert parse(write(tmp_path / "feed.csv", text)) == [SHOE, HAT]


def test_as_dict_keys_are_the_field_names(tmp_path: Path) -> None:
    assert SHOE.as_dict() == {
        "sku": "WP06-29-Black",
        "title": "Walking shoe",
        "description": "Leather, size 29",
        "url": "https://shop.example.com/shoe",
        "image_url": "https://img.example.com/shoe.jpg",
        "price": "19.99 EUR",
        "availability": "in stock",
        "brand": "Acme",
    }


@pytest.mark.parametrize("name", ["feed.xml", "feed.csv"])
def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path, name: str) -> None:
    text = (
        rss("<g:id>H-1</g:id><title>Hat</title>") if name.endswith("xml") else "id,title\nH-1,Hat\n"
    )
    assert parse(write(tmp_path / name, b"\xef\xbb\xbf" + text.encode())) == [HAT]


def test_utf16_xml_with_a_byte_order_mark_is_read_but_a_utf16_table_refused(
    tmp_path: Path,
) -> None:
    xml = rss("<g:id>H-1</g:id><title>Hat</title>").replace("UTF-8", "UTF-16")
    assert parse(write(tmp_path / "feed.xml", xml.encode("utf-16"))) == [HAT]
    message = feed_error(write(tmp_path / "feed.csv", "id,title\nH-1,Hat\n".encode("utf-16")))
    assert message == "the feed is UTF-16 text: save it as UTF-8 and try again"


def test_format_comes_from_content_not_the_file_name(tmp_path: Path) -> None:
    xml = write(tmp_path / "products.csv", "\n  " + rss("<g:id>H-1</g:id><title>Hat</title>"))
    table = write(tmp_path / "products.xml", "id\ttitle\nH-1\tHat\n")
    assert parse(xml) == parse(table) == [HAT]


def test_a_feed_without_items_yields_nothing(tmp_path: Path) -> None:
    assert parse(write(tmp_path / "feed.xml", rss())) == []
    assert parse(write(tmp_path / "feed.atom", ATOM_START + ATOM_END)) == []
    assert parse(write(tmp_path / "feed.csv", "id,title\n")) == []


def test_duplicate_skus_are_all_yielded_for_the_importer_to_count(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.csv", "id,title\nH-1,Hat\nH-1,Cap\n")
    assert [(item.sku, item.title) for item in parse(path) if isinstance(item, FeedItem)] == [
        ("H-1", "Hat"),
        ("H-1", "Cap"),
    ]


# --- items that can't be used


def test_rss_item_errors_give_position_sku_and_reason(tmp_path: Path) -> None:
    items = [
        "<g:id>H-1</g:id><title>Hat</title>",
        "<title>No SKU</title>",
        "<g:id>B-2</g:id><title>  </title>",
        "<g:id>C-3</g:id><title>Cap</title><link>javascript:alert(1)</link>",
        "<g:id>D-4</g:id><title>Dress</title><g:image_link>ftp://img/d.jpg</g:image_link>",
        f"<g:id>{'x' * 201}</g:id><title>Long</title>",
        "<g:id>E-5</g:id>",
        "<g:id> </g:id><title>Blank</title><link>www.example.com</link>",
    ]
    assert parse(write(tmp_path / "feed.xml", rss(*items))) == [
        HAT,
        FeedItemError(2, None, "missing g:id"),
        FeedItemError(3, "B-2", "title is empty"),
        FeedItemError(4, "C-3", "link is not an http(s) URL"),
        FeedItemError(5, "D-4", "g:image_link is not an http(s) URL"),
        FeedItemError(6, None, "g:id is longer than 200 characters"),
        FeedItemError(7, "E-5", "missing title"),
        FeedItemError(8, None, "g:id is empty; link is not an http(s) URL"),
    ]


def test_atom_entry_errors_count_entries(tmp_path: Path) -> None:
    entries = (
        "<entry><title>No SKU</title></entry>"
        '<entry><g:id>A</g:id><title>A</title><link href="mailto:a@example.com"/></entry>'
    )
    assert parse(write(tmp_path / "feed.xml", ATOM_START + entries + ATOM_END)) == [
        FeedItemError(1, None, "missing g:id"),
        FeedItemError(2, "A", "link is not an http(s) URL"),
    ]


def test_table_row_errors_count_rows_after_the_header_and_skip_blank_rows(
    tmp_path: Path,
) -> None:
    text = "id,title,link\nH-1,Hat,\n,No SKU,\n\n,,\nB-2,,\nC-3,Cap,not a link\n"
    assert parse(write(tmp_path / "feed.csv", text)) == [
        HAT,
        FeedItemError(2, None, "id is empty"),
        FeedItemError(5, "B-2", "title is empty"),
        FeedItemError(6, "C-3", "link is not an http(s) URL"),
    ]


def test_empty_optional_fields_become_none(tmp_path: Path) -> None:
    item = "<g:id>H-1</g:id><title>Hat</title><description> </description><g:price/><g:brand></g:brand>"
    assert parse(write(tmp_path / "feed.xml", rss(item))) == [HAT]


# --- feeds that can't be used at all


def test_billion_laughs_is_refused_quickly_without_expanding(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">\n' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{entities}]>\n'
        + rss("<g:id>&lol9;</g:id><title>&lol9;</title>").split("\n", 1)[1]
    )
    path = write(tmp_path / "bomb.xml", bomb)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = feed_error(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message == "the feed declares XML entities, which Folio refuses for safety"
    assert elapsed < 2
    assert peak < 10_000_000


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret}">]>',
        '<!DOCTYPE rss [<!ENTITY % xxe SYSTEM "{secret}"> %xxe;]>',
        '<!DOCTYPE rss [<!ENTITY xxe PUBLIC "-//X//EN" "{secret}">]>',
    ],
)
def test_external_entities_are_refused_and_the_file_never_read(
    tmp_path: Path, doctype: str
) -> None:
    secret = write(tmp_path / "secret.txt", "TOPSECRET-1234\n")
    feed = (
        '<?xml version="1.0"?>\n' + doctype.format(secret=secret.as_uri()) + "\n"
        f"<rss {G}><channel><item><g:id>&xxe;</g:id><title>&xxe;</title>"
        "<description>&xxe;</description></item></channel></rss>\n"
    )
    path = write(tmp_path / "xxe.xml", feed)
    yielded: list[FeedItem | FeedItemError] = []
    with pytest.raises(FeedError) as caught:
        yielded.extend(iter_feed(path))
    assert str(caught.value) == "the feed declares XML entities, which Folio refuses for safety"
    assert "TOPSECRET" not in repr(yielded) + str(caught.value) + repr(caught.value.__context__)


def test_an_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "TOPSECRET-1234\n")
    dtd = write(tmp_path / "evil.dtd", f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">\n')
    feed = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{dtd.as_uri()}">\n'
        f"<rss {G}><channel><item><g:id>A</g:id><title>&xxe;</title></item></channel></rss>\n"
    )
    message = feed_error(write(tmp_path / "xxe.xml", feed))
    assert "undefined entity" in message and "TOPSECRET" not in message


def test_malformed_xml_is_refused_with_its_line_after_the_items_before_it(
    tmp_path: Path,
) -> None:
    feed = "\n\n" + rss("<g:id>H-1</g:id><title>Hat</title>", "<g:id>B</g:id><title>Bag</titel>")
    path = write(tmp_path / "feed.xml", feed)
    yielded: list[FeedItem | FeedItemError] = []
    with pytest.raises(FeedError) as caught:
        yielded.extend(iter_feed(path))
    assert yielded == [HAT]
    # Two blank lines, the declaration, <rss>, <channel>, the channel's title, item 1, item 2.
    assert str(caught.value) == "the feed is not valid XML: mismatched tag at line 8, column 33"


def test_xml_of_another_kind_is_not_a_feed(tmp_path: Path) -> None:
    svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>\n'
    message = feed_error(write(tmp_path / "feed.xml", svg))
    assert message == "the file is XML but not an RSS or Atom feed: its root element is <svg>"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "a PDF document"),
        (b"<!DOCTYPE html>\n<html><body><p>Shop<br></body></html>\n", "an HTML page"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
        (b'{"items": []}', "JSON"),
    ],
)
def test_files_that_are_not_feeds_are_named_for_what_they_are(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    message = feed_error(write(tmp_path / "feed.xml", content))
    assert expected in message and "not a product feed" in message


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n", b"\xef\xbb\xbf\n"])
def test_an_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    assert feed_error(write(tmp_path / "feed.csv", content)) == "the feed is empty"


def test_a_file_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    assert feed_error(tmp_path / "missing.xml").startswith("can't read the feed: ")
    assert feed_error(tmp_path).startswith("can't read the feed: ")


def test_a_latin1_table_is_refused_naming_where_the_bad_byte_is(tmp_path: Path) -> None:
    text = "id,title\nH-1,Hat\nC-3,Caf\u00e9 hat\n"
    message = feed_error(write(tmp_path / "feed.csv", text.encode("latin-1")))
    assert message == (
        "the feed is not UTF-8 text (byte 0xe9 at offset 24, line 3): "
        "save it as UTF-8 and try again"
    )


def test_xml_with_bytes_invalid_for_its_declared_encoding_is_refused(tmp_path: Path) -> None:
    feed = rss("<g:id>C-3</g:id><title>Caf\u00e9</title>").encode("latin-1")
    message = feed_error(write(tmp_path / "feed.xml", feed))
    assert message.startswith("the feed is not valid XML: not well-formed (invalid token) at line")


def test_xml_in_a_declared_single_byte_encoding_is_read(tmp_path: Path) -> None:
    feed = rss("<g:id>C-3</g:id><title>Caf\u00e9</title>").replace("UTF-8", "ISO-8859-1")
    [item] = parse(write(tmp_path / "feed.xml", feed.encode("latin-1")))
    assert isinstance(item, FeedItem) and item.title == "Caf\u00e9"


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("name,price,link", "no id (or sku) and no title columns"),
        ("g:id\tprice", "no title column"),
        ("Title;Price", "no id (or sku) column"),
    ],
)
def test_a_table_lacking_required_columns_is_refused_naming_them(
    tmp_path: Path, header: str, missing: str
) -> None:
    message = feed_error(write(tmp_path / "feed.csv", header + "\nA,B,C\n"))
    assert message.startswith(f"the feed has {missing} in its header row (its columns: ")


def test_an_overlong_table_field_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "id,title\nH-1,Hat\n" + f'B-2,"{"x" * 200_000}"\n'
    message = feed_error(write(tmp_path / "feed.csv", text))
    assert message.startswith("line 3 of the feed is not a valid table row: field larger")


# --- streaming


def test_a_hundred_thousand_item_rss_feed_streams_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as file:
        file.write(RSS_START + "<title>Big shop</title>\n")
        for n in range(100_000):
            file.write(
                f"<item><g:id>SKU-{n:06d}</g:id><title>Product {n}</title>"
                f"<description>Product number {n}, described at some length.</description>"
                f"<link>https://shop.example.com/p/{n}</link>"
                f"<g:image_link>https://img.example.com/{n}.jpg</g:image_link>"
                f"<g:price>{n % 100}.99 EUR</g:price><g:availability>in stock</g:availability>"
                "<g:brand>Acme</g:brand></item>\n"
            )
        file.write(RSS_END)
    assert path.stat().st_size > 30_000_000
    count = 0
    last: FeedItem | FeedItemError | None = None
    tracemalloc.start()
    try:
        for last in iter_feed(path):
            count += isinstance(last, FeedItem)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert isinstance(last, FeedItem) and last.sku == "SKU-099999"
    assert peak < 50_000_000


# --- catalogue SKUs for `folio hotspots lint --catalogue`


def test_catalogue_skus_of_an_rss_feed_are_those_of_its_usable_items(tmp_path: Path) -> None:
    feed = rss(
        "<g:id>H-1</g:id><title>Hat</title>",
        "<g:id>B-2</g:id><title></title>",
        "<g:id> WP06-29-Black </g:id><title>Shoe</title>",
    )
    assert load_catalogue_skus(write(tmp_path / "feed.xml", feed)) == {"H-1", "WP06-29-Black"}


def test_catalogue_skus_of_an_atom_feed_named_txt(tmp_path: Path) -> None:
    feed = ATOM_START + "<entry><g:id>H-1</g:id><title>Hat</title></entry>" + ATOM_END
    assert load_catalogue_skus(write(tmp_path / "feed.txt", feed)) == {"H-1"}


def test_catalogue_sku_column_may_have_a_g_prefix(tmp_path: Path) -> None:
    table = "g:title;G:SKU\nHat;H-1\n"
    assert load_catalogue_skus(write(tmp_path / "feed.csv", table)) == {"H-1"}


def test_a_catalogue_feed_that_cannot_be_used_is_a_catalogue_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.xml", rss("<g:id>H-1</g:id><title>Hat</titel>"))
    with pytest.raises(CatalogueError, match=r"^the catalogue bad\.xml can't be used: the feed"):
        load_catalogue_skus(path)


def test_an_item_with_a_million_children_is_read_without_holding_them(tmp_path: Path) -> None:
    path = tmp_path / "huge-item.xml"
    with path.open("w") as out:
        out.write('<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item>')
        out.write("<g:id>HUGE-1</g:id><title>Huge</title>")
        for _ in range(100):
            out.write("<x><y/></x>" * 10_000)
        out.write("</item></channel></rss>")
    tracemalloc.start()
    try:
        items = list(iter_feed(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(i.sku, i.title) for i in items if isinstance(i, FeedItem)] == [("HUGE-1", "Huge")]
    assert peak < 20_000_000
