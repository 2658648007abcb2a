"""Staff accounts: a TOTP second factor (secret and last used step) and an optional borough.

Existing accounts have no secret, so each person enrols an authenticator app at their next
sign-in; no borough means the account may change every entry, as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("borough_code", sa.String(length=9), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.drop_column("borough_code")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
