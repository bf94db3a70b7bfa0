"""What the property panel's fields may hold, as plain data: each type's starting properties
and the check of a form's values that decides whether they may be committed.

No widgets here, so the rules read (and test) on their own. The editor allows a required
field to be empty (a hotspot just drawn has no address yet): it is committed as empty, its
field says what is missing, and the lint panel counts it as a reason saving is refused.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import ValidationError
from app.core.hotspot_fields import LINK_SCHEMES, MEDIA_SCHEMES, hotspot_properties
from app.core.hotspot_lint import url_problem
from app.core.hotspots import VIDEO_FLAGS, HotspotType, video_provider

Properties = dict[str, Any]

TYPE_NAMES: dict[HotspotType, str] = {
    HotspotType.PRODUCT: "Product",
    HotspotType.EXTERNAL_LINK: "Link",
    HotspotType.PAGE_REFERENCE: "Page reference",
    HotspotType.IMAGE: "Image",
    HotspotType.VIDEO: "Video",
    HotspotType.SLIDESHOW: "Slideshow",
}
EDITABLE_TYPES = tuple(kind for kind in TYPE_NAMES if kind is not HotspotType.SLIDESHOW)
"""The types a hotspot can be given here (slideshows come from PDFs and the server only)."""

FIELD_LABELS = {
    "skus": "SKUs",
    "url": "Address",
    "source": "Address",
    "altText": "Alt text",
    "max_width": "Maximum width",
    "max_height": "Maximum height",
    "page": "Target page",
}
_URL_SCHEMES = {
    HotspotType.EXTERNAL_LINK: LINK_SCHEMES,
    HotspotType.IMAGE: MEDIA_SCHEMES,
    HotspotType.VIDEO: MEDIA_SCHEMES,
}
_REQUIRED: dict[HotspotType, tuple[str, Any]] = {
    HotspotType.PRODUCT: ("skus", []),
    HotspotType.EXTERNAL_LINK: ("url", ""),
    HotspotType.PAGE_REFERENCE: ("page", None),
    HotspotType.IMAGE: ("source", ""),
    HotspotType.VIDEO: ("source", ""),
    HotspotType.SLIDESHOW: ("images", []),
}
PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo"}
NOT_A_PROVIDER = "Not a YouTube or Vimeo address: played as a video file"
BLANK_NOTES = {
    "url": "Required: the hotspot can't be saved without an address.",
    "source": "Required: the hotspot can't be saved without an address.",
    "page": "Required: the hotspot can't be saved without a target page.",
}


def default_properties(kind: HotspotType) -> Properties:
    """What a hotspot of ``kind`` starts with: every flag at its default, required fields
    empty."""
    defaults: dict[HotspotType, Properties] = {
        HotspotType.PRODUCT: {"skus": [], "icon": True, "dynamic": True},
        HotspotType.EXTERNAL_LINK: {
            "url": "",
            "popup": False,
            "max_width": None,
            "max_height": None,
        },
        HotspotType.PAGE_REFERENCE: {"page": None},
        HotspotType.IMAGE: {"source": ""},
        HotspotType.VIDEO: {"source": "", **VIDEO_FLAGS, "provider": None, "video_id": None},
        HotspotType.SLIDESHOW: {"images": []},
    }
    return defaults[kind]


def provider_text(url: str) -> str:
    """What the viewer makes of a video address, for the line under it."""
    found = video_provider(url)
    if found is None:
        return NOT_A_PROVIDER
    return f"{PROVIDER_NAMES[found[0]]} video {found[1]}"


def _is_blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _sentence(text: str) -> str:
    # "…mailto: or tel:" ends on a scheme's colon: a full stop after it reads as a typo.
    return f"{text[:1].upper()}{text[1:]}{'' if text.endswith(':') else '.'}"


def check_fields(
    kind: HotspotType, data: Properties, current: Properties, page_count: int
) -> tuple[Properties | None, dict[str, str]]:
    """The properties ``current`` becomes with the form values ``data`` (some or all of the
    type's fields, by property name), and a message for each field: an error that stops the
    commit (the properties are None then), or the note of an empty required field."""
    required, blank = _REQUIRED[kind]
    empty = required in data and _is_blank(data[required])
    sent = {name: value for name, value in data.items() if not (empty and name == required)}
    messages: dict[str, str] = {}
    properties: Properties | None = None
    # Only the fields sent change: a hotspot read from a PDF keeps exactly the keys it had,
    # so leaving a field untouched is no edit.
    base = dict(current)
    if kind is HotspotType.VIDEO:
        base.setdefault("source", "")  # the video's provider is worked out from it
    try:
        properties = hotspot_properties(kind, sent, base)
    except ValidationError as exc:
        messages = {
            name: " ".join(f"{FIELD_LABELS.get(name, name)} {text}." for text in texts)
            for name, texts in exc.errors.items()
        }
    schemes = _URL_SCHEMES.get(kind)
    if schemes is not None and required in sent:
        problem = url_problem(sent[required], schemes)
        if problem:
            messages[required] = _sentence(problem)
    target = sent.get("page") if kind is HotspotType.PAGE_REFERENCE else None
    if isinstance(target, int) and target > page_count:
        messages["page"] = f"The document has {page_count} pages: choose one of them."
    if messages or properties is None:
        return None, messages
    if empty:
        properties[required] = list(blank) if isinstance(blank, list) else blank
        if kind is HotspotType.VIDEO:
            properties["provider"] = properties["video_id"] = None
        if required in BLANK_NOTES:
            messages[required] = BLANK_NOTES[required]
    if kind is HotspotType.IMAGE and "altText" in sent and not properties.get("altText"):
        properties.pop("altText", None)  # no alt text is no key, not an empty one
    return properties, messages
