"""The closed vocabularies of the platform's API v2."""

from __future__ import annotations

from enum import StrEnum


class PublicationState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class StateFilter(StrEnum):
    """Values of ``?state=`` on the publication list."""

    PUBLIC = "public"  # online and listed
    UNLISTED = "unlisted"  # online, not listed
    ONLINE = "online"  # public and unlisted
    OFFLINE = "offline"


class LayoutType(StrEnum):
    SINGLE = "single"
    BOOKLET = "booklet"


class ConversionState(StrEnum):
    NEW = "new"
    PREPARING = "preparing"
    CONVERTING = "converting"
    FINISHED = "finished"
    CANCELED = "canceled"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (ConversionState.FINISHED, ConversionState.CANCELED, ConversionState.FAILED)


class ConversionSource(StrEnum):
    NEW_PUBLICATION = "new_publication"
    API_ADD_PAGES = "api_add_pages"
    API_REPLACE_PAGE = "api_replace_page"
    PAGE_MANAGER = "page_manager"


class KeyScope(StrEnum):
    """API key scopes, each including the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, needed: KeyScope) -> bool:
        order = [KeyScope.READ, KeyScope.WRITE, KeyScope.ADMIN]
        return order.index(self) >= order.index(needed)


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class EntityType(StrEnum):
    GROUP = "group"
    PUBLICATION = "publication"
    METATAG = "metatag"
    COLLECTION = "collection"
    CONVERSION = "conversion"
    SPREAD = "spread"
    HOTSPOT = "hotspot"
    PRODUCT_FEED = "product_feed"
