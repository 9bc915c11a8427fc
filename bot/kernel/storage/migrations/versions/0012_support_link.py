"""teams.support_link: where the quiz points someone whose answers show exhaustion (an
employee assistance programme, a people team's page), set by an admin with `settings support`.

Revision ID: 0012_support_link
Revises: 0008d_private_polls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_support_link"
down_revision = "0008d_private_polls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("support_link", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("support_link")
