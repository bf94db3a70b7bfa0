"""The detail panel's fields as plain data: how a publication's stored values compare with
what the form holds, which of them changed, and the checks made before anything is queued.

No widgets here, so the rules read (and test) on their own.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.core.errors import ValidationError
from app.core.timestamps import format_datetime, parse_datetime
from app.mirror.library import check_publication_fields

Values = dict[str, Any]

# In the order the form shows them; the labels start the messages shown under each field.
FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "slug": "Slug",
    "language": "Language",
    "layout_type": "Layout",
    "browser_title": "Browser title",
    "description": "Description",
    "metatag_ids": "Metatags",
    "metatags_category": "Category",
    "collection_id": "Collection",
    "valid_from": "Valid from",
    "schedule_online_at": "Online time",
    "schedule_offline_at": "Offline time",
}
EDITED_FIELDS = tuple(FIELD_LABELS)

DEFAULT_LAYOUT = "booklet"  # what the server gives a publication that names none
MAX_TITLE = 255
MAX_TEXT = 5000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def optional_text(text: str | None) -> str | None:
    """Blank text is no value: the API stores null, not an empty string."""
    return text if text and text.strip() else None


def normalized_moment(text: str | None) -> str | None:
    """A schedule in the API's UTC text, to the second (the picker's precision), or None.
    Text that isn't a time is kept as it is so the checks can say so."""
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        return text
    return format_datetime(moment.replace(microsecond=0))


def stored_values(data: dict[str, Any]) -> Values:
    """A publication's stored fields as the form would hold them, so an untouched form
    equals them exactly."""
    ids = data.get("metatag_ids") or []
    return {
        "title": str(data.get("title") or "").strip(),
        "slug": str(data.get("slug") or "").strip(),
        "language": data.get("language") or None,
        "layout_type": data.get("layout_type") or DEFAULT_LAYOUT,
        "browser_title": optional_text(data.get("browser_title")),
        "description": optional_text(data.get("description")),
        "metatag_ids": sorted(int(i) for i in ids),
        "metatags_category": data.get("metatags_category") or None,
        "collection_id": data.get("collection_id") or None,
        "valid_from": data.get("valid_from") or None,
        "schedule_online_at": normalized_moment(data.get("schedule_online_at")),
        "schedule_offline_at": normalized_moment(data.get("schedule_offline_at")),
    }


def changed_fields(values: Values, baseline: Values) -> Values:
    """The fields whose value differs from ``baseline``: what Save sends."""
    return {name: value for name, value in values.items() if value != baseline.get(name)}


def full_message(field: str, message: str) -> str:
    """``Slug has already been taken``: the field's label leads, as in the API's messages."""
    label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
    return f"{label} {message}"


def check_changes(changes: Values, values: Values) -> dict[str, list[str]]:
    """Field errors of ``changes`` (with ``values``, the whole form, for the rules that
    join two fields); empty when they may be queued."""
    errors: dict[str, list[str]] = {}
    try:
        check_publication_fields(changes, creating=False)
    except ValidationError as exc:
        errors.update(exc.errors)
    if "slug" in changes and not changes["slug"]:
        errors["slug"] = ["can't be blank"]
    for name in ("title", "browser_title"):
        text = changes.get(name)
        if isinstance(text, str) and len(text) > MAX_TITLE and name not in errors:
            errors[name] = [f"is too long (at most {MAX_TITLE} characters)"]
    description = changes.get("description")
    if isinstance(description, str) and len(description) > MAX_TEXT:
        errors["description"] = [f"is too long (at most {MAX_TEXT} characters)"]
    if "valid_from" in changes and not _is_date(changes["valid_from"]):
        errors["valid_from"] = ["must be a date (YYYY-MM-DD)"]
    errors.update(_schedule_errors(changes, values))
    return errors


def _is_date(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _schedule_errors(changes: Values, values: Values) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    moments = {}
    for name in ("schedule_online_at", "schedule_offline_at"):
        text = values.get(name)
        if text is None:
            continue
        try:
            moments[name] = parse_datetime(text)
        except ValueError:
            errors[name] = ["is not a date and time"]
    online, offline = moments.get("schedule_online_at"), moments.get("schedule_offline_at")
    touched = {"schedule_online_at", "schedule_offline_at"} & set(changes)
    if touched and online is not None and offline is not None and offline <= online:
        errors["schedule_offline_at"] = ["must be later than the online time"]
    return errors
