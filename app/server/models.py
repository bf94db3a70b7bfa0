"""The server's tables (SQLAlchemy 2 typed models). Portable SQL only: SQLite or PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.core.timestamps import utc_now
from app.server.db_types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    online_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    change_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(String(10))
    prefix: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    # Globally unique: the public viewer URL is /view/<group slug>/<publication slug>.
    slug: Mapped[str] = mapped_column(String(130), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


publication_metatags = Table(
    "publication_metatags",
    Base.metadata,
    Column(
        "publication_id",
        ForeignKey("publications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("metatag_id", ForeignKey("metatags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_publication_metatags_metatag_id", "metatag_id"),
)


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Metatag(Base):
    __tablename__ = "metatags"
    __table_args__ = (UniqueConstraint("group_id", "category", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Publication(Base):
    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("group_id", "slug"),
        Index("ix_publications_listing", "group_id", "archived", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    browser_title: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    slug: Mapped[str] = mapped_column(String(130))
    language: Mapped[str | None] = mapped_column(String(2), default=None)
    state: Mapped[str] = mapped_column(String(10), default="offline")
    disable_seo: Mapped[bool] = mapped_column(Boolean, default=False)
    layout_type: Mapped[str] = mapped_column(String(10), default="booklet")
    online_at: Mapped[datetime | None] = mapped_column(default=None)
    offline_at: Mapped[datetime | None] = mapped_column(default=None)
    schedule_online_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    schedule_offline_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    collection_id: Mapped[int | None] = mapped_column(
        ForeignKey("collections.id", ondelete="SET NULL"), default=None, index=True
    )
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    extraction_options: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    cover_path: Mapped[str | None] = mapped_column(String(500), default=None)
    pdf_path: Mapped[str | None] = mapped_column(String(500), default=None)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)

    metatags: Mapped[list[Metatag]] = relationship(
        secondary=publication_metatags, order_by=Metatag.id, lazy="select"
    )


class Conversion(Base):
    __tablename__ = "conversions"
    __table_args__ = (Index("ix_conversions_queue", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default="new")
    state_details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    source_type: Mapped[str] = mapped_column(String(30))
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    total_pages: Mapped[int | None] = mapped_column(Integer, default=None)
    converted_pages: Mapped[int] = mapped_column(Integer, default=0)
    extraction_options: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    """Annotations that were not hotspots: ``[{"page": n, "reason": "..."}]`` (ext)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """How many times a worker started it; an interrupted conversion is retried a few times."""
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Upload(Base):
    """A file sent to ``POST /v2/uploads``, kept in the file store under ``file_name``."""

    __tablename__ = "uploads"
    # Never reuse an id: a client may still hold an old one.
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(80))
    original_name: Mapped[str | None] = mapped_column(String(255), default=None)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Spread(Base):
    """Pages shown side by side; rebuilt whenever pages or the layout change."""

    __tablename__ = "spreads"
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Page(Base):
    """A converted page: its images in the file store and how it is shown (CropBox in PDF
    user space and /Rotate), which hotspot geometry needs."""

    __tablename__ = "pages"
    __table_args__ = (
        Index("ix_pages_publication_position", "publication_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    """1-based page number in the publication."""
    spread_id: Mapped[int | None] = mapped_column(
        ForeignKey("spreads.id", ondelete="SET NULL"), default=None, index=True
    )
    image_name: Mapped[str] = mapped_column(String(80))
    thumbnail_name: Mapped[str] = mapped_column(String(80))
    crop_x0: Mapped[float] = mapped_column(Float)
    crop_y0: Mapped[float] = mapped_column(Float)
    crop_x1: Mapped[float] = mapped_column(Float)
    crop_y1: Mapped[float] = mapped_column(Float)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class HotspotRow(Base):
    """A hotspot on its page, in that page's PDF user space (points, origin bottom-left).
    Spread fractions are derived when answering, so page moves and relayouts keep it in place."""

    __tablename__ = "hotspots"
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    target_page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL"), default=None, index=True
    )
    """For page references: the target page itself, so the reference follows it when it moves."""
    origin: Mapped[str] = mapped_column(String(12), default="api")
    """annotation, text (extraction options) or api."""
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Change(Base):
    """One entry of an account's change feed; ``seq`` strictly increases per account."""

    __tablename__ = "changes"
    __table_args__ = (UniqueConstraint("account_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer, default=None)
    op: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class IdempotencyRecord(Base):
    """The first response to a request that carried an Idempotency-Key, for replay."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)


class ProductFeed(Base):
    """One import of a group's product catalogue from a feed file (seed 003 "Product Feeds").

    ``state``: scheduled -> processing -> success / failed. ``errors_sample`` keeps the first
    reasons items were refused, ``error`` why a whole import failed.
    """

    __tablename__ = "product_feeds"
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(Integer, default=None)
    state: Mapped[str] = mapped_column(String(20), index=True)
    success_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    errors_sample: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # Times this import was started; an import that keeps stopping the server is failed.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ProductColumns:
    """A catalogue entry's fields, shared by the catalogue and an import's staging rows."""

    sku: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    image_url: Mapped[str | None] = mapped_column(Text, default=None)
    price: Mapped[str | None] = mapped_column(String(100), default=None)
    availability: Mapped[str | None] = mapped_column(String(100), default=None)
    brand: Mapped[str | None] = mapped_column(String(300), default=None)


class Product(ProductColumns, Base):
    """A product of a group's catalogue, as its last successful import left it."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("group_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))


class ProductStaging(ProductColumns, Base):
    """Products of an import in progress; they replace the catalogue in one transaction
    when the import succeeds, so a failed import leaves the previous catalogue intact."""

    __tablename__ = "product_staging"
    __table_args__ = (UniqueConstraint("feed_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("product_feeds.id", ondelete="CASCADE"))
