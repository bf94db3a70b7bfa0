"""The JSON contract of /Text annotations, read and written back."""

from __future__ import annotations

import json

import pytest

from app.core.geometry import Rect
from app.core.hotspots import (
    Hotspot,
    HotspotType,
    NotAHotspot,
    annotation_contents,
    read_annotation_contents,
    video_provider,
)

RECT = Rect(150, 450, 350, 500)


def test_seed_product_annotation() -> None:
    kind, properties = read_annotation_contents(
        '{ "type": "product", "icon": true, "dynamic": true, "sku": "WP06-29-Black" }'
    )
    assert kind is HotspotType.PRODUCT
    assert properties == {"skus": ["WP06-29-Black"], "icon": True, "dynamic": True}


def test_product_defaults_and_sku_lists() -> None:
    _, properties = read_annotation_contents('{"type": "product", "sku": ["A", "B"]}')
    assert properties == {"skus": ["A", "B"], "icon": True, "dynamic": True}


@pytest.mark.parametrize(
    ("contents", "reason"),
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"type": "coupon"}', "unknown hotspot type"),
        ('{"sku": "A"}', "unknown hotspot type"),
        ('{"type": "product"}', "sku"),
        ('{"type": "product", "sku": []}', "sku"),
        ('{"type": "product", "sku": "A", "icon": "yes"}', "icon"),
        ('{"type": "video"}', "source"),
        ('{"type": "externalContent", "source": "https://x", "maxWidth": -4}', "maxWidth"),
        ("", "without contents"),
    ],
)
def test_contents_that_are_not_hotspots_say_why(contents: str, reason: str) -> None:
    with pytest.raises(NotAHotspot, match=reason):
        read_annotation_contents(contents)


def test_video_detects_youtube_and_vimeo() -> None:
    _, properties = read_annotation_contents(
        '{"type": "video", "source": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}'
    )
    assert (properties["provider"], properties["video_id"]) == ("youtube", "dQw4w9WgXcQ")
    assert properties["autoplay"] is False and properties["showThumbnail"] is True
    assert video_provider("https://youtu.be/dQw4w9WgXcQ") == ("youtube", "dQw4w9WgXcQ")
    assert video_provider("https://vimeo.com/76979871") == ("vimeo", "76979871")
    assert video_provider("https://player.vimeo.com/video/76979871") == ("vimeo", "76979871")
    assert video_provider("https://example.com/clip.mp4") is None


def test_external_content_is_a_popup_link() -> None:
    kind, properties = read_annotation_contents(
        '{"type": "externalContent", "source": "https://shop.example/x", "maxWidth": 640}'
    )
    assert kind is HotspotType.EXTERNAL_LINK
    assert properties == {
        "url": "https://shop.example/x",
        "popup": True,
        "max_width": 640,
        "max_height": None,
    }


@pytest.mark.parametrize(
    "contents",
    [
        '{"type": "product", "sku": "A", "icon": false, "dynamic": false}',
        '{"type": "product", "sku": ["A", "B"]}',
        '{"type": "image", "source": "https://x/y.png", "altText": "Shoe", "fillMode": "cover"}',
        '{"type": "video", "source": "https://vimeo.com/76979871", "autoplay": true, "loop": true}',
        '{"type": "externalContent", "source": "https://x", "maxWidth": 300, "maxHeight": 200}',
    ],
)
def test_written_contents_read_back_the_same(contents: str) -> None:
    kind, properties = read_annotation_contents(contents)
    hotspot = Hotspot(kind, 1, RECT, properties)
    written = annotation_contents(hotspot)
    assert written is not None and json.loads(written)
    assert read_annotation_contents(written) == (kind, properties)


def test_links_and_page_references_are_written_as_links() -> None:
    assert (
        annotation_contents(
            Hotspot(HotspotType.EXTERNAL_LINK, 1, RECT, {"url": "https://x", "popup": False})
        )
        is None
    )
    assert annotation_contents(Hotspot(HotspotType.PAGE_REFERENCE, 1, RECT, {"page": 3})) is None
