"""Rebuild service_search keyed by audience and clustered in ranking order.

The table is derived data, so it is dropped and recreated empty; `signpost directory init`
(or `directory reindex`) fills it again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("ix_service_search_service_id", table_name="service_search")
    op.drop_index("ix_service_search_rank", table_name="service_search")
    op.drop_table("service_search")
    op.create_table(
        "service_search",
        sa.Column("area_key", sa.String(length=9), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("audience_key", sa.String(length=30), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("has_phone", sa.Boolean(), nullable=False),
        sa.Column("gender", sa.String(length=6), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("audiences", sa.String(length=402), nullable=False),
        sa.Column("audience_restricted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_search_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "area_key",
            "topic",
            "audience_key",
            "rank",
            "name",
            "service_id",
            name=op.f("pk_service_search"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_service_search_service_id", "service_search", ["service_id"])


def downgrade() -> None:
    op.drop_index("ix_service_search_service_id", table_name="service_search")
    op.drop_table("service_search")
    op.create_table(
        "service_search",
        sa.Column("area_key", sa.String(length=9), nullable=False),
        sa.Column("topic", sa.String(length=30), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("has_phone", sa.Boolean(), nullable=False),
        sa.Column("gender", sa.String(length=6), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("audiences", sa.String(length=402), nullable=False),
        sa.Column("audience_restricted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_search_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area_key", "topic", "service_id", name=op.f("pk_service_search")),
    )
    op.create_index(
        "ix_service_search_rank",
        "service_search",
        ["area_key", "topic", "rank", "name", "service_id"],
    )
    op.create_index("ix_service_search_service_id", "service_search", ["service_id"])
