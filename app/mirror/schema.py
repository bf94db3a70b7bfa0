"""The mirror's tables: a local copy of one server account, plus the outbox and conflicts.

Synced rows keep two versions: ``server_data`` (the server's last known JSON, with its
``etag``) and ``data`` (what the user sees: the server's version with pending local edits
laid over it). A row without local edits stores its JSON once, in ``data``, and
``server_data`` is null. Rows created offline have negative ids until the server assigns one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Server(Base):
    """The server this mirror copies (one per mirror file) and what it can do."""

    __tablename__ = "servers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    # None until the first sync finds out; the hosted platform has no change feed.
    has_change_feed: Mapped[bool | None] = mapped_column(Boolean, default=None)
    key_status: Mapped[str] = mapped_column(String(20), default="unknown")


class SyncState(Base):
    """Where the last sync of an account left off."""

    __tablename__ = "sync_state"

    server_id: Mapped[int] = mapped_column(ForeignKey("servers.id"), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    last_sync_at: Mapped[str | None] = mapped_column(String(40), default=None)
    last_status: Mapped[str | None] = mapped_column(String(20), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Groups whose catalogue changed on the server and is still to be fetched.
    stale_catalogues: Mapped[list[int] | None] = mapped_column(JSON, default=None)


class ListEtag(Base):
    """ETags of full list pulls, for servers without a change feed."""

    __tablename__ = "list_etags"

    path: Mapped[str] = mapped_column(String(300), primary_key=True)
    etag: Mapped[str] = mapped_column(String(200))


class SyncedColumns:
    """What every synced entity row carries besides its own columns."""

    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    server_data: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    etag: Mapped[str | None] = mapped_column(String(200), default=None)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    sync_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Deleted (archived) here and waiting for the server to acknowledge it.
    local_deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(500), default="")
    publication_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Publication(SyncedColumns, Base):
    __tablename__ = "publications"
    __table_args__ = (
        Index("ix_publications_group_title", "group_id", "title"),
        Index("ix_publications_group_updated", "group_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    slug: Mapped[str | None] = mapped_column(String(500), default=None)
    state: Mapped[str] = mapped_column(String(20), default="offline")
    disable_seo: Mapped[bool] = mapped_column(Boolean, default=False)
    collection_id: Mapped[int | None] = mapped_column(Integer, default=None)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(10), default=None)
    cover_url: Mapped[str | None] = mapped_column(String(1000), default=None)
    updated_at: Mapped[str | None] = mapped_column(String(40), default=None)


class Metatag(SyncedColumns, Base):
    __tablename__ = "metatags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    category: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(500), default="")


class Collection(SyncedColumns, Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(500), default="")


class Hotspot(SyncedColumns, Base):
    __tablename__ = "hotspots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    spread_id: Mapped[int] = mapped_column(Integer, index=True)
    type: Mapped[str] = mapped_column(String(40), default="")


class Conversion(Base):
    __tablename__ = "conversions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    publication_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(20), default="new")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Spread(Base):
    __tablename__ = "spreads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(Integer, index=True)
    publication_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Product(Base):
    """A group's catalogue entry (read-only here; imported on the server from feeds)."""

    __tablename__ = "products"

    group_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(1000), default="")
    price: Mapped[str | None] = mapped_column(String(100), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxEntry(Base):
    """One local change waiting for the server, in the order the user made it.

    ``payload`` is what to send; ``base`` the server's values of the changed fields when the
    user made the edit, and ``base_etag`` the version it was based on. ``state`` is
    ``queued`` (sent at the next sync), ``failed`` (the server refused it; ``error`` says
    why) or ``conflict`` (the server's version changed the same fields; see Conflict).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # The hotspot's spread; the publication an action applies to is entity_id itself.
    parent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    op: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base_etag: Mapped[str | None] = mapped_column(String(200), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    field_errors: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[str] = mapped_column(String(40))


class Conflict(Base):
    """An edit the server refused because someone changed the same fields first.

    Keeps both versions until the user chooses: ``mine`` (the local values of ``fields``),
    ``theirs`` (the server's whole current version, with its ``server_etag``).
    """

    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    mine: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    theirs: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    server_etag: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
