"""Hotspots as the domain knows them, and the JSON that /Text annotations carry.

A hotspot belongs to a page: its rectangle is in that page's PDF user space (see
``app.core.geometry``). ``properties`` hold the type's fields with their defaults filled in,
so two hotspots that mean the same thing compare equal (reading back what was written gives
the same hotspots).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.core.geometry import Rect


class HotspotType(StrEnum):
    EXTERNAL_LINK = "external_link"
    PAGE_REFERENCE = "page_reference"
    VIDEO = "video"
    IMAGE = "image"
    SLIDESHOW = "slideshow"
    PRODUCT = "product"


@dataclass(frozen=True)
class Hotspot:
    type: HotspotType
    page: int
    """1-based page number in the document."""
    rect: Rect
    """PDF user space of the page: points, origin bottom-left."""
    properties: dict[str, Any] = field(default_factory=dict, compare=True, hash=False)


@dataclass(frozen=True)
class AnnotationWarning:
    """An annotation that is not a hotspot, and why (kept with the conversion, not fatal)."""

    page: int
    reason: str


class NotAHotspot(ValueError):
    """Annotation contents that do not describe a hotspot; the message says why."""


IMAGE_FIELDS = ("source", "appearance", "altText", "altTextValue", "fillMode")
VIDEO_FIELDS = (
    "source",
    "appearance",
    "showThumbnail",
    "autoplay",
    "loop",
    "showAccessibilityControls",
    "accessibilityText",
)
VIDEO_FLAGS = {
    "showThumbnail": True,
    "autoplay": False,
    "loop": False,
    "showAccessibilityControls": False,
}

# How far (points) a rectangle read back from a PDF may be from the one written: annotation
# writers round coordinates, and a hundredth of a point is far below what anyone can see.
RECT_TOLERANCE = 0.01

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_ID = re.compile(r"^\d{3,12}$")


def video_provider(url: str) -> tuple[str, str] | None:
    """("youtube" | "vimeo", video id) for a YouTube or Vimeo address, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = [segment for segment in parts.path.split("/") if segment]
    candidate: str | None = None
    if host == "youtu.be" and path:
        candidate = path[0]
    elif host in ("youtube.com", "youtube-nocookie.com", "music.youtube.com"):
        if path[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [None])[0]
        elif len(path) >= 2 and path[0] in ("embed", "shorts", "v", "live"):
            candidate = path[1]
    if candidate and _YOUTUBE_ID.match(candidate):
        return "youtube", candidate
    if host in ("vimeo.com", "player.vimeo.com"):
        numeric = [segment for segment in path if _VIMEO_ID.match(segment)]
        if numeric:
            return "vimeo", numeric[0]
    return None


def _flag(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise NotAHotspot(f"{name!r} must be true or false")
    return value


def _source(data: dict[str, Any], kind: str) -> str:
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise NotAHotspot(f"a {kind} hotspot needs a 'source' string")
    return source.strip()


def _product(data: dict[str, Any]) -> tuple[HotspotType, dict[str, Any]]:
    raw = data.get("sku")
    skus = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(skus, list)
        or not skus
        or not all(isinstance(s, str) and s.strip() for s in skus)
    ):
        raise NotAHotspot("a product hotspot needs 'sku': a string or a list of strings")
    return HotspotType.PRODUCT, {
        "skus": [s.strip() for s in skus],
        "icon": _flag(data, "icon", True),
        "dynamic": _flag(data, "dynamic", True),
    }


def _image(data: dict[str, Any]) -> tuple[HotspotType, dict[str, Any]]:
    properties = {name: data[name] for name in IMAGE_FIELDS if name in data}
    properties["source"] = _source(data, "image")
    return HotspotType.IMAGE, properties


def _video(data: dict[str, Any]) -> tuple[HotspotType, dict[str, Any]]:
    properties: dict[str, Any] = {name: data[name] for name in VIDEO_FIELDS if name in data}
    properties["source"] = _source(data, "video")
    for name, default in VIDEO_FLAGS.items():
        properties[name] = _flag(data, name, default)
    provider = video_provider(properties["source"])
    properties["provider"], properties["video_id"] = provider if provider else (None, None)
    return HotspotType.VIDEO, properties


def _external_content(data: dict[str, Any]) -> tuple[HotspotType, dict[str, Any]]:
    properties: dict[str, Any] = {"url": _source(data, "externalContent"), "popup": True}
    for name, key in (("maxWidth", "max_width"), ("maxHeight", "max_height")):
        value = data.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            raise NotAHotspot(f"{name!r} must be a positive number")
        properties[key] = value
    return HotspotType.EXTERNAL_LINK, properties


_READERS = {
    "product": _product,
    "image": _image,
    "video": _video,
    "externalContent": _external_content,
}


def read_annotation_contents(contents: str | None) -> tuple[HotspotType, dict[str, Any]]:
    """The hotspot a /Text annotation's Contents describe. Raises NotAHotspot with the reason."""
    if not contents or not contents.strip():
        raise NotAHotspot("a text annotation without contents")
    try:
        data = json.loads(contents)
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise NotAHotspot("a text annotation whose contents are not JSON") from None
    if not isinstance(data, dict):
        raise NotAHotspot("a text annotation whose JSON is not an object")
    kind = data.get("type")
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        known = ", ".join(_READERS)
        raise NotAHotspot(f"unknown hotspot type {kind!r} (known: {known})")
    return reader(data)


def annotation_contents(hotspot: Hotspot) -> str | None:
    """The /Text Contents JSON that describes ``hotspot``, or None when it is written as a /Link
    (plain external links and page references)."""
    p = hotspot.properties
    if hotspot.type is HotspotType.PRODUCT:
        skus = p["skus"]
        data: dict[str, Any] = {
            "type": "product",
            "sku": skus[0] if len(skus) == 1 else list(skus),
            "icon": p.get("icon", True),
            "dynamic": p.get("dynamic", True),
        }
    elif hotspot.type is HotspotType.IMAGE:
        data = {"type": "image", **{k: p[k] for k in IMAGE_FIELDS if k in p}}
    elif hotspot.type is HotspotType.VIDEO:
        data = {"type": "video", **{k: p[k] for k in VIDEO_FIELDS if k in p}}
    elif hotspot.type is HotspotType.EXTERNAL_LINK and p.get("popup"):
        data = {"type": "externalContent", "source": p["url"]}
        if p.get("max_width") is not None:
            data["maxWidth"] = p["max_width"]
        if p.get("max_height") is not None:
            data["maxHeight"] = p["max_height"]
    elif hotspot.type in (HotspotType.EXTERNAL_LINK, HotspotType.PAGE_REFERENCE):
        return None
    else:
        raise ValueError(f"{hotspot.type.value} hotspots cannot be written as annotations")
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def same_hotspot(found: Hotspot, wanted: Hotspot, tolerance: float = RECT_TOLERANCE) -> bool:
    """Whether ``found`` (read back from a PDF) is ``wanted``: the same type, page and
    properties, and corners within ``tolerance`` points."""
    return (
        found.type is wanted.type
        and found.page == wanted.page
        and found.properties == wanted.properties
        and found.rect.is_close(wanted.rect, tolerance)
    )


def external_link(page: int, rect: Rect, url: str) -> Hotspot:
    return Hotspot(HotspotType.EXTERNAL_LINK, page, rect, {"url": url, "popup": False})


def page_reference(page: int, rect: Rect, target_page: int) -> Hotspot:
    return Hotspot(HotspotType.PAGE_REFERENCE, page, rect, {"page": target_page})
