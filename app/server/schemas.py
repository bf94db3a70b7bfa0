"""Request bodies, validated with pydantic; messages become the API's field errors."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, field_validator

from app.core.enums import KeyScope, LayoutType
from app.core.languages import LANGUAGES
from app.core.slugs import is_valid_slug
from app.core.timestamps import parse_datetime

MAX_TITLE = 255
MAX_TEXT = 5000
EXTRACTION_KINDS = ("links", "products")
MAX_ID = 2**62  # as for ids in paths: larger ones cannot exist (and overflow SQLite)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _blank_to_none(value: Any) -> Any:
    # Form bodies cannot send null: an empty string clears an optional field.
    return None if value == "" else value


def _title(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("can't be blank")
        if len(value) > MAX_TITLE:
            raise ValueError(f"is too long (at most {MAX_TITLE} characters)")
    return value


def _datetime(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 date-time string")
    try:
        return parse_datetime(value)
    except ValueError:
        raise ValueError("must be an ISO-8601 date-time, like 2014-09-25T15:17:20+02:00") from None


def _extraction_options(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError('must be an object like {"links": {"icons": true}}')
    cleaned: dict[str, Any] = {}
    for kind, options in value.items():
        if kind not in EXTRACTION_KINDS:
            raise ValueError(f"has an unknown key {kind!r}; allowed: links, products")
        if options in (None, ""):
            options = {}
        if not isinstance(options, dict):
            raise ValueError(f"{kind} must be an object")
        icons = options.get("icons", True)
        if isinstance(icons, str) and icons.lower() in ("true", "false", "1", "0"):
            icons = icons.lower() in ("true", "1")
        if not isinstance(icons, bool):
            raise ValueError(f"{kind}.icons must be true or false")
        unknown = set(options) - {"icons"}
        if unknown:
            raise ValueError(f"{kind} has unknown keys: {', '.join(sorted(unknown))}")
        cleaned[kind] = {"icons": icons}
    return cleaned


def _not_bool(value: Any) -> Any:
    # JSON true/false are not ids (pydantic would read them as 1 and 0).
    if isinstance(value, bool):
        raise ValueError("must be an integer")
    return value


def _id_range(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise ValueError("must be a positive integer id")
    return value


RecordId = Annotated[int, BeforeValidator(_not_bool), AfterValidator(_id_range)]


def _date(value: Any) -> Any:
    """``YYYY-MM-DD`` only: pydantic alone would take numbers as Unix timestamps."""
    value = _blank_to_none(value)
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value.strip()


def _language(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is not None and (not isinstance(value, str) or value not in LANGUAGES):
        raise ValueError(
            f"is not a supported language code; use one of {', '.join(sorted(LANGUAGES))}"
        )
    return value


def _source_url(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("can't be blank")
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class PublicationFields(_Body):
    browser_title: str | None = None
    description: str | None = None
    language: str | None = None
    schedule_online_at: datetime | None = None
    schedule_offline_at: datetime | None = None
    metatag_ids: list[RecordId] | None = None
    metatags_category: str | None = None
    valid_from: date | None = None
    collection_id: RecordId | None = None
    extraction_options: dict[str, Any] | None = None
    layout_type: LayoutType | None = None

    _blank = field_validator("collection_id", "layout_type", "metatags_category", mode="before")(
        _blank_to_none
    )
    _valid_from = field_validator("valid_from", mode="before")(_date)
    _dates = field_validator("schedule_online_at", "schedule_offline_at", mode="before")(_datetime)
    _lang = field_validator("language", mode="before")(_language)
    _extraction = field_validator("extraction_options", mode="before")(_extraction_options)

    @field_validator("browser_title")
    @classmethod
    def _browser_title_length(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_TITLE:
            raise ValueError(f"is too long (at most {MAX_TITLE} characters)")
        return value

    @field_validator("description")
    @classmethod
    def _description_length(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_TEXT:
            raise ValueError(f"is too long (at most {MAX_TEXT} characters)")
        return value


class PublicationCreate(PublicationFields):
    title: str
    source_url: str

    _title_check = field_validator("title", mode="before")(_title)
    _source = field_validator("source_url", mode="before")(_source_url)


class PublicationUpdate(PublicationFields):
    title: str | None = None
    slug: str | None = None

    _title_check = field_validator("title", mode="before")(_title)

    @field_validator("slug", mode="before")
    @classmethod
    def _slug(cls, value: Any) -> Any:
        if isinstance(value, str) and not is_valid_slug(value):
            raise ValueError("may contain only a-z, 0-9, '_' and '-' (at most 120 characters)")
        return value


class MetatagCreate(_Body):
    category: str
    value: str

    @field_validator("category", "value", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _title(value)


class MetatagUpdate(_Body):
    category: str | None = None
    value: str | None = None

    @field_validator("category", "value", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _title(value)


class CollectionBody(_Body):
    title: str

    _title_check = field_validator("title", mode="before")(_title)


class GroupCreate(_Body):
    title: str

    _title_check = field_validator("title", mode="before")(_title)


class ApiKeyCreate(_Body):
    name: str = ""
    scope: KeyScope = KeyScope.READ

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if len(value) > 200:
            raise ValueError("is too long (at most 200 characters)")
        return value.strip()


def check_schedule(online: datetime | None, offline: datetime | None) -> str | None:
    """A message when the offline time is not after the online time."""
    if online is not None and offline is not None and offline <= online:
        return "must be later than schedule_online_at"
    return None


def _page_numbers(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty array of page numbers")
    if len(value) > 10_000:
        raise ValueError("has too many page numbers")
    numbers = []
    for item in value:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 100_000:
            raise ValueError("must list page numbers (1 or more)")
        numbers.append(item)
    if len(set(numbers)) != len(numbers):
        raise ValueError("lists a page more than once")
    return numbers


def _page_number(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, bool):
        raise ValueError("must be a page number (1 or more)")
    return value


def _bool_text(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


def _page_range(value: int) -> int:
    if not 1 <= value <= 100_000:
        raise ValueError("must be a page number (1 or more)")
    return value


PageNumber = Annotated[int, BeforeValidator(_page_number), AfterValidator(_page_range)]


class PagesAdd(_Body):
    source_url: str
    source_page_numbers: list[int] | None = None
    position: PageNumber | None = None
    extraction_options: dict[str, Any] | None = None

    _source = field_validator("source_url", mode="before")(_source_url)
    _numbers = field_validator("source_page_numbers", mode="before")(_page_numbers)
    _extraction = field_validator("extraction_options", mode="before")(_extraction_options)


class PageReplace(_Body):
    source_url: str
    source_page_number: PageNumber = 1
    extraction_options: dict[str, Any] | None = None
    remove_hotspots: bool = False

    _source = field_validator("source_url", mode="before")(_source_url)
    _extraction = field_validator("extraction_options", mode="before")(_extraction_options)
    _remove = field_validator("remove_hotspots", mode="before")(_bool_text)
