"""Initial directory schema: HSDS-style tables, audit, staff, postcodes, topic terms.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copy of the topic vocabulary at this revision; later changes need a new migration.
TOPICS = (
    ("coercive_control", "Coercive control"),
    ("physical_abuse", "Physical abuse"),
    ("sexual_violence", "Rape, sexual assault and sexual abuse"),
    ("economic_abuse", "Economic and financial abuse"),
    ("tech_abuse", "Tech abuse and intimate image abuse"),
    ("harassment", "Harassment"),
    ("stalking", "Stalking"),
    ("fgm", "Female genital mutilation (FGM)"),
    ("forced_marriage", "Forced marriage"),
    ("honour_based_abuse", "So-called honour-based abuse"),
    ("trafficking_exploitation", "Trafficking, modern slavery and exploitation"),
    ("perpetrator_help", "Help to stop being abusive"),
    ("domestic_abuse", "Domestic abuse (general)"),
)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(length=255), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_record", "audit_log", ["table_name", "record_id"])

    op.create_table(
        "organization",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_table(
        "outward_code",
        sa.Column("outward", sa.String(length=4), nullable=False),
        sa.Column("lad_code", sa.String(length=9), nullable=False),
        sa.Column("postcode_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("outward", "lad_code", name=op.f("pk_outward_code")),
    )
    op.create_table(
        "postcode",
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("lad_code", sa.String(length=9), nullable=False),
        sa.PrimaryKeyConstraint("postcode", name=op.f("pk_postcode")),
    )
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_account")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_account_email")),
    )
    op.create_table(
        "taxonomy_term",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("taxonomy", sa.String(length=60), nullable=False),
        sa.Column("parent_id", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_taxonomy_term_parent_id_taxonomy_term"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_term")),
        sa.UniqueConstraint("code", name=op.f("uq_taxonomy_term_code")),
        sa.UniqueConstraint("name", name=op.f("uq_taxonomy_term_name")),
    )
    op.create_table(
        "location",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("organization_id", sa.String(length=120), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address_1", sa.String(length=255), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("borough_code", sa.String(length=9), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "confidential = false OR (address_1 IS NULL AND postal_code IS NULL"
            " AND latitude IS NULL AND longitude IS NULL)",
            name=op.f("ck_location_confidential_no_address"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_location_organization_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    op.create_index("ix_location_organization_id", "location", ["organization_id"])

    op.create_table(
        "service",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("organization_id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternate_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=False),
        sa.Column("verification_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')",
            name=op.f("ck_service_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_service_organization_id_organization"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_index("ix_service_live", "service", ["deleted_at", "status"])
    op.create_index("ix_service_organization_id", "service", ["organization_id"])

    op.create_table(
        "eligibility",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("gender", sa.String(length=6), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("audiences", sa.String(length=400), nullable=False),
        sa.Column("audience_restricted", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "gender IS NULL OR gender IN ('female', 'male')", name=op.f("ck_eligibility_gender")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_eligibility_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility")),
        sa.UniqueConstraint("service_id", name=op.f("uq_eligibility_service_id")),
    )
    op.create_table(
        "language",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_language_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_language")),
    )
    op.create_index("ix_language_service_id", "language", ["service_id"])

    op.create_table(
        "phone",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=True),
        sa.Column("organization_id", sa.String(length=120), nullable=True),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("extension", sa.String(length=10), nullable=True),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "type IN ('voice', 'text', 'textphone', 'fax')", name=op.f("ck_phone_type")
        ),
        sa.CheckConstraint(
            "service_id IS NOT NULL OR organization_id IS NOT NULL", name=op.f("ck_phone_has_owner")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_phone_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_phone_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone")),
    )
    op.create_index("ix_phone_organization_id", "phone", ["organization_id"])
    op.create_index("ix_phone_service_id", "phone", ["service_id"])

    op.create_table(
        "schedule",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("byday", sa.String(length=30), nullable=True),
        sa.Column("opens_at", sa.String(length=5), nullable=True),
        sa.Column("closes_at", sa.String(length=5), nullable=True),
        sa.Column("is_24_hours", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_schedule_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    op.create_index("ix_schedule_service_id", "schedule", ["service_id"])

    op.create_table(
        "service_area",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("borough_code", sa.String(length=9), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(scope = 'borough' AND borough_code IS NOT NULL)"
            " OR (scope <> 'borough' AND borough_code IS NULL)",
            name=op.f("ck_service_area_borough_code_iff_borough"),
        ),
        sa.CheckConstraint(
            "scope IN ('borough', 'london', 'national')", name=op.f("ck_service_area_scope")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_area_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_area")),
        sa.UniqueConstraint(
            "service_id",
            "scope",
            "borough_code",
            name=op.f("uq_service_area_service_id_scope_borough_code"),
        ),
    )
    op.create_index(
        "ix_service_area_borough_code_service_id", "service_area", ["borough_code", "service_id"]
    )
    op.create_index("ix_service_area_scope_service_id", "service_area", ["scope", "service_id"])

    op.create_table(
        "service_at_location",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("location_id", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_service_at_location_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_at_location_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_at_location")),
        sa.UniqueConstraint(
            "service_id", "location_id", name=op.f("uq_service_at_location_service_id_location_id")
        ),
    )
    op.create_index("ix_service_at_location_location_id", "service_at_location", ["location_id"])

    op.create_table(
        "service_taxonomy",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_taxonomy_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_service_taxonomy_taxonomy_term_id_taxonomy_term"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_taxonomy")),
        sa.UniqueConstraint(
            "service_id",
            "taxonomy_term_id",
            name=op.f("uq_service_taxonomy_service_id_taxonomy_term_id"),
        ),
    )
    op.create_index(
        "ix_service_taxonomy_term_service", "service_taxonomy", ["taxonomy_term_id", "service_id"]
    )

    taxonomy_term = sa.table(
        "taxonomy_term",
        sa.column("id", sa.String),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("taxonomy", sa.String),
    )
    op.bulk_insert(
        taxonomy_term,
        [
            {
                "id": f"topic-{code}",
                "code": code,
                "name": code,
                "description": label,
                "taxonomy": "signpost-topics",
            }
            for code, label in TOPICS
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_service_taxonomy_term_service", table_name="service_taxonomy")

    op.drop_table("service_taxonomy")
    op.drop_index("ix_service_at_location_location_id", table_name="service_at_location")

    op.drop_table("service_at_location")
    op.drop_index("ix_service_area_scope_service_id", table_name="service_area")
    op.drop_index("ix_service_area_borough_code_service_id", table_name="service_area")

    op.drop_table("service_area")
    op.drop_index("ix_schedule_service_id", table_name="schedule")

    op.drop_table("schedule")
    op.drop_index("ix_phone_service_id", table_name="phone")
    op.drop_index("ix_phone_organization_id", table_name="phone")

    op.drop_table("phone")
    op.drop_index("ix_language_service_id", table_name="language")

    op.drop_table("language")
    op.drop_table("eligibility")
    op.drop_index("ix_service_organization_id", table_name="service")
    op.drop_index("ix_service_live", table_name="service")

    op.drop_table("service")
    op.drop_index("ix_location_organization_id", table_name="location")

    op.drop_table("location")
    op.drop_table("taxonomy_term")
    op.drop_table("staff_account")
    op.drop_table("postcode")
    op.drop_table("outward_code")
    op.drop_table("organization")
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")

    op.drop_table("audit_log")
