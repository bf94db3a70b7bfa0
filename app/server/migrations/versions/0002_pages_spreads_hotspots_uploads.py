"""pages spreads hotspots uploads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=80), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_uploads_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_uploads_account_id"), ["account_id"], unique=False)

    op.create_table(
        "spreads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_spreads_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spreads")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("spreads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spreads_publication_id"), ["publication_id"], unique=False
        )

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("spread_id", sa.Integer(), nullable=True),
        sa.Column("image_name", sa.String(length=80), nullable=False),
        sa.Column("thumbnail_name", sa.String(length=80), nullable=False),
        sa.Column("crop_x0", sa.Float(), nullable=False),
        sa.Column("crop_y0", sa.Float(), nullable=False),
        sa.Column("crop_x1", sa.Float(), nullable=False),
        sa.Column("crop_y1", sa.Float(), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_pages_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spread_id"],
            ["spreads.id"],
            name=op.f("fk_pages_spread_id_spreads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pages_publication_position", ["publication_id", "position"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pages_spread_id"), ["spread_id"], unique=False)

    op.create_table(
        "hotspots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("x0", sa.Float(), nullable=False),
        sa.Column("y0", sa.Float(), nullable=False),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("target_page_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name=op.f("fk_hotspots_page_id_pages"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_page_id"],
            ["pages.id"],
            name=op.f("fk_hotspots_target_page_id_pages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspots")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("hotspots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotspots_page_id"), ["page_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hotspots_target_page_id"), ["target_page_id"], unique=False
        )

    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:

    with op.batch_alter_table("conversions", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("warnings")

    with op.batch_alter_table("hotspots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotspots_target_page_id"))
        batch_op.drop_index(batch_op.f("ix_hotspots_page_id"))

    op.drop_table("hotspots")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pages_spread_id"))
        batch_op.drop_index("ix_pages_publication_position")

    op.drop_table("pages")
    with op.batch_alter_table("spreads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spreads_publication_id"))

    op.drop_table("spreads")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_account_id"))

    op.drop_table("uploads")
