"""The fields of each hotspot type as the API takes them, validated into ``Hotspot.properties``.

The same property names as ``app.core.hotspots`` uses for hotspots read from annotations, so
a hotspot from a PDF and one created over the API look alike.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from app.core.errors import ValidationError
from app.core.hotspots import IMAGE_FIELDS, VIDEO_FIELDS, VIDEO_FLAGS, HotspotType, video_provider

MAX_URL = 2048
MAX_SKUS = 100
MAX_TEXT = 1000
LINK_SCHEMES = ("http", "https", "mailto", "tel")
MEDIA_SCHEMES = ("http", "https")


def _url(value: Any, schemes: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a URL")
    text = value.strip()
    if len(text) > MAX_URL:
        raise ValueError(f"is too long (at most {MAX_URL} characters)")
    parts = urlsplit(text)
    if parts.scheme.lower() not in schemes:
        raise ValueError(f"must be a URL starting with {' or '.join(s + ':' for s in schemes)}")
    if parts.scheme.lower() in ("http", "https") and not parts.hostname:
        raise ValueError("must be a URL with a host")
    return text


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ValueError("must be true or false")


def _number_text(value: Any) -> Any:
    # Form bodies send every value as text.
    if isinstance(value, str):
        try:
            return int(value) if value.strip().isdigit() else float(value)
        except ValueError:
            return value
    return value


def _positive_number(value: Any) -> float | int | None:
    if value is None or value == "":
        return None
    value = _number_text(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError("must be a positive number")
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(f"must be a string of at most {MAX_TEXT} characters")
    return value


def _skus(value: Any) -> list[str]:
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list) or not raw:
        raise ValueError("must be a SKU or a non-empty list of SKUs")
    if len(raw) > MAX_SKUS:
        raise ValueError(f"has too many SKUs (at most {MAX_SKUS})")
    if not all(isinstance(s, str) and s.strip() and len(s) <= 255 for s in raw):
        raise ValueError("must list non-blank SKU strings")
    return [s.strip() for s in raw]


def _target_page(value: Any) -> int:
    value = _number_text(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a page number (1 or more)")
    return value


def _images(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty list of image URLs")
    return [_url(item, MEDIA_SCHEMES) for item in value]


_FIELD_RULES: dict[HotspotType, dict[str, Any]] = {
    HotspotType.EXTERNAL_LINK: {
        "url": lambda v: _url(v, LINK_SCHEMES),
        "popup": _flag,
        "max_width": _positive_number,
        "max_height": _positive_number,
        "icon": _flag,
    },
    HotspotType.PAGE_REFERENCE: {"page": _target_page, "icon": _flag},
    HotspotType.PRODUCT: {"skus": _skus, "icon": _flag, "dynamic": _flag},
    HotspotType.IMAGE: {
        "source": lambda v: _url(v, MEDIA_SCHEMES),
        **{name: _text for name in IMAGE_FIELDS if name != "source"},
    },
    HotspotType.VIDEO: {
        "source": lambda v: _url(v, MEDIA_SCHEMES),
        **{name: _flag for name in VIDEO_FLAGS},
        "appearance": _text,
        "accessibilityText": _text,
    },
    HotspotType.SLIDESHOW: {"images": _images, "icon": _flag},
}
_REQUIRED = {
    HotspotType.EXTERNAL_LINK: ("url",),
    HotspotType.PAGE_REFERENCE: ("page",),
    HotspotType.PRODUCT: ("skus",),
    HotspotType.IMAGE: ("source",),
    HotspotType.VIDEO: ("source",),
    HotspotType.SLIDESHOW: ("images",),
}
_DEFAULTS: dict[HotspotType, dict[str, Any]] = {
    HotspotType.EXTERNAL_LINK: {"popup": False},
    HotspotType.PRODUCT: {"icon": True, "dynamic": True},
    HotspotType.VIDEO: dict(VIDEO_FLAGS),
}
assert set(VIDEO_FIELDS) <= set(_FIELD_RULES[HotspotType.VIDEO])


def parse_hotspot_type(value: Any) -> HotspotType:
    try:
        return HotspotType(value)
    except ValueError:
        known = ", ".join(t.value for t in HotspotType)
        raise ValidationError({"type": [f"must be one of {known}"]}) from None


def hotspot_properties(
    kind: HotspotType, data: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The validated properties of a ``kind`` hotspot from API fields.

    With ``current`` (a partial update) only the fields sent change; without it, required
    fields must be present and defaults are filled in. Unknown fields are ignored.
    Raises ValidationError naming each bad field.
    """
    rules = _FIELD_RULES[kind]
    properties = dict(current) if current is not None else dict(_DEFAULTS.get(kind, {}))
    if kind is HotspotType.PRODUCT and "sku" in data and "skus" not in data:
        data = {**data, "skus": data["sku"]}
    errors: dict[str, list[str]] = {}
    for name, rule in rules.items():
        if name not in data:
            continue
        try:
            properties[name] = rule(data[name])
        except ValueError as exc:
            errors[name] = [str(exc)]
    if current is None:
        for name in _REQUIRED[kind]:
            if name not in data and name not in errors:
                errors[name] = ["is required"]
    if errors:
        raise ValidationError(errors)
    if kind is HotspotType.VIDEO:
        provider = video_provider(properties["source"])
        properties["provider"], properties["video_id"] = provider if provider else (None, None)
    return properties
