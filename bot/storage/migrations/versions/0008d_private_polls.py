"""private polls, owned by the anonymity issue: a poll asked in a private channel is shown
only there (and to its asker), and left out of team trends.

Revision ID: 0008d_private_polls
Revises: 0008c_team_views
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008d_private_polls"
down_revision = "0008c_team_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pulse_polls") as batch:
        batch.add_column(
            sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("pulse_polls") as batch:
        batch.drop_column("private")
