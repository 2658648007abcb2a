"""Provenance kept apart from staff confirmation; per-page sources; new topics; ended seeds.

Before this revision `last_verified` was filled in by every import (the bundled rows all said
2026-11-22, the day they were typed in from 2015-2021 strategies), so it claimed a check that
nobody made. From here on it is set only by a member of staff confirming an entry, with who
and how. Existing rows become unconfirmed, except services whose audit trail shows a member
of staff pressing "mark verified" for exactly that date: those keep it, with the person's
name and method "other". The old import note moves to `source_note`.

Services the seed documents say have ended (Southwark's SASS contract in October 2019, the
Tri-borough perpetrator and FGM pilots in March 2017) become `defunct` with a note, so search
never offers them.

SQLite rebuilds `service` and `phone` to make `last_verified` optional; migrate.py runs
every migration with SQLite's foreign keys off (dropping the old table would otherwise
cascade-delete every phone and topic link) and checks them afterwards.

The derived search table is emptied (its ranking changed); `signpost directory init` or
`directory reindex` fills it again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies at this revision (later vocabulary changes need their own migration).
NEW_TOPICS = (
    ("housing", "Housing and homelessness"),
    ("crisis", "Struggling to cope (emotional support)"),
    ("legal", "Legal advice"),
    ("immigration", "Immigration status and no recourse to public funds"),
)
METHODS = ("phoned_service", "emailed_service", "service_website", "council_website",
           "in_person", "other")
# (service id, why it ended): only where a seed says so; see seed-services.yaml.
ENDED = (
    ("svc-southwark-sass",
     "Seed 001 (Southwark, c. 2018): the SASS contract was due to end in October 2019 and be "
     "re-procured. No newer public source shows SASS running."),
    ("svc-southwark-sass-perpetrator",
     "Part of SASS, whose contract the Southwark seed says ended in October 2019. No newer "
     "public source shows it running."),
    ("svc-triborough-dvip",
     "Seed 004 (Tri-borough 2015-16): 'funding for all perpetrator services runs out by March "
     "2017'. No newer public source shows these programmes running."),
    ("svc-triborough-fgm-service",
     "Seed 004 (Tri-borough 2015-16): the FGM pilot's funding ended in March 2017. No newer "
     "public source shows it running."),
)
# Topics the bundled national lines gain (the services exist in every bundled directory).
NEW_LINKS = (
    ("svc-national-shelter", "housing"),
    ("svc-national-samaritans", "crisis"),
)
_CONFIRMED_CHECK = ("last_verified IS NULL OR (verified_by IS NOT NULL AND "
                    "verification_method IS NOT NULL)")


def upgrade() -> None:
    with op.batch_alter_table("service") as batch:
        batch.add_column(sa.Column("form_url", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("status_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("main_service", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("commissioned_by_council", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("source_url", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("source_read_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("source_page_date", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("source_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("verified_by", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("verification_method", sa.String(length=30), nullable=True))
        batch.alter_column("last_verified", existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table("phone") as batch:
        batch.add_column(sa.Column("hours", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_url", sa.String(length=1000), nullable=True))
        batch.add_column(sa.Column("source_read_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("source_page_date", sa.String(length=10), nullable=True))
        batch.alter_column("last_verified", existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table("eligibility") as batch:
        batch.add_column(sa.Column("residents_only", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "service_source",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("service_id", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("page_date", sa.String(length=10), nullable=True),
        sa.Column("page_date_basis", sa.Text(), nullable=True),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("supports", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"],
                                name=op.f("fk_service_source_service_id_service"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_source")),
    )
    op.create_index("ix_service_source_service_id", "service_source", ["service_id"])
    _migrate_rows()
    with op.batch_alter_table("service") as batch:
        batch.create_check_constraint("confirmed_by_someone", _CONFIRMED_CHECK)
        batch.create_check_constraint(
            "verification_method",
            "verification_method IS NULL OR verification_method IN ("
            + ", ".join(f"'{m}'" for m in METHODS) + ")",
        )
    # Server defaults were only there to fill existing rows; the models set the values.
    with op.batch_alter_table("service") as batch:
        batch.alter_column("main_service", existing_type=sa.Boolean(), server_default=None)
        batch.alter_column("commissioned_by_council", existing_type=sa.Boolean(),
                           server_default=None)
    with op.batch_alter_table("eligibility") as batch:
        batch.alter_column("residents_only", existing_type=sa.Boolean(), server_default=None)
    op.execute("DELETE FROM service_search")


def _audited_verifications(bind) -> dict[str, tuple[str, str]]:
    """service id -> (who, date) of the latest "mark verified" press in the admin."""
    audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("who", sa.String),
                     sa.column("table_name", sa.String), sa.column("record_id", sa.String),
                     sa.column("action", sa.String), sa.column("after", sa.JSON))
    found: dict[str, tuple[str, str]] = {}
    rows = bind.execute(
        sa.select(audit.c.record_id, audit.c.who, audit.c.after)
        .where(audit.c.table_name == "service", audit.c.action == "verify")
        .order_by(audit.c.id)
    )
    for record_id, who, after in rows:
        when = (after or {}).get("last_verified") if isinstance(after, dict) else None
        if who and when:
            found[record_id] = (who, when)
    return found


def _migrate_rows() -> None:
    bind = op.get_bind()
    service = sa.table(
        "service", sa.column("id", sa.String), sa.column("last_verified", sa.Date),
        sa.column("verified_by", sa.String), sa.column("verification_method", sa.String),
        sa.column("verification_note", sa.Text), sa.column("source_note", sa.Text),
        sa.column("status", sa.String), sa.column("status_note", sa.Text),
    )
    phone = sa.table("phone", sa.column("last_verified", sa.Date))
    confirmed = _audited_verifications(bind)
    current = {row.id: row.last_verified for row in
               bind.execute(sa.select(service.c.id, service.c.last_verified))}
    keep = {sid: who for sid, (who, when) in confirmed.items()
            if current.get(sid) is not None and str(current[sid]) == when}
    # The import's note was provenance ("recorded from the seed document"), not a check.
    bind.execute(service.update().values(source_note=service.c.verification_note,
                                         verification_note=None))
    bind.execute(service.update().where(service.c.id.not_in(list(keep) or [""]))
                 .values(last_verified=None))
    for sid, who in keep.items():
        bind.execute(service.update().where(service.c.id == sid).values(
            verified_by=who, verification_method="other",
            verification_note="Marked verified in the admin before confirmations recorded "
                              "how they were checked."))
    bind.execute(phone.update().values(last_verified=None))
    for sid, why in ENDED:
        bind.execute(service.update().where(service.c.id == sid)
                     .values(status="defunct", status_note=why))
    term = sa.table("taxonomy_term", sa.column("id", sa.String), sa.column("code", sa.String),
                    sa.column("name", sa.String), sa.column("description", sa.Text),
                    sa.column("taxonomy", sa.String), sa.column("parent_id", sa.String))
    op.bulk_insert(term, [
        {"id": f"topic-{code}", "code": code, "name": code, "description": label,
         "taxonomy": "signpost-topics", "parent_id": None}
        for code, label in NEW_TOPICS
    ])
    link = sa.table("service_taxonomy", sa.column("id", sa.String),
                    sa.column("service_id", sa.String), sa.column("taxonomy_term_id", sa.String))
    existing = set(bind.execute(sa.select(service.c.id)).scalars())
    op.bulk_insert(link, [
        {"id": f"st-{sid}-{topic}", "service_id": sid, "taxonomy_term_id": f"topic-{topic}"}
        for sid, topic in NEW_LINKS if sid in existing
    ])


def downgrade() -> None:
    op.execute("DELETE FROM service_search")
    bind = op.get_bind()
    service = sa.table("service", sa.column("last_verified", sa.Date),
                       sa.column("source_read_on", sa.Date),
                       sa.column("verification_note", sa.Text),
                       sa.column("source_note", sa.Text))
    phone = sa.table("phone", sa.column("last_verified", sa.Date),
                     sa.column("source_read_on", sa.Date))
    today = date.today()
    # The old schema cannot say "unconfirmed"; it gets the day the source was read.
    bind.execute(service.update().where(service.c.last_verified.is_(None)).values(
        last_verified=sa.func.coalesce(service.c.source_read_on, today)))
    bind.execute(service.update().where(service.c.verification_note.is_(None))
                 .values(verification_note=service.c.source_note))
    bind.execute(phone.update().where(phone.c.last_verified.is_(None)).values(
        last_verified=sa.func.coalesce(phone.c.source_read_on, today)))
    op.execute("DELETE FROM service_taxonomy WHERE taxonomy_term_id IN ("
               + ", ".join(f"'topic-{code}'" for code, _ in NEW_TOPICS) + ")")
    op.execute("DELETE FROM taxonomy_term WHERE id IN ("
               + ", ".join(f"'topic-{code}'" for code, _ in NEW_TOPICS) + ")")
    op.drop_index("ix_service_source_service_id", table_name="service_source")
    op.drop_table("service_source")
    with op.batch_alter_table("eligibility") as batch:
        batch.drop_column("residents_only")
    with op.batch_alter_table("phone") as batch:
        batch.alter_column("last_verified", existing_type=sa.Date(), nullable=False)
        for name in ("source_page_date", "source_read_on", "source_url", "hours"):
            batch.drop_column(name)
    with op.batch_alter_table("service") as batch:
        batch.drop_constraint(op.f("ck_service_verification_method"), type_="check")
        batch.drop_constraint(op.f("ck_service_confirmed_by_someone"), type_="check")
        batch.alter_column("last_verified", existing_type=sa.Date(), nullable=False)
        for name in ("verification_method", "verified_by", "source_note", "source_page_date",
                     "source_read_on", "source_url", "commissioned_by_council", "main_service",
                     "status_note", "form_url"):
            batch.drop_column(name)
