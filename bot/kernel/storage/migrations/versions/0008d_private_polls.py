"""Private polls: a poll asked in a private channel is shown
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
    # A plain ADD COLUMN: a batch "recreate" of pulse_polls on SQLite would drop the table,
    # and the foreign keys would cascade that to the open polls' keys and ballots.
    op.add_column(
        "pulse_polls", sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("pulse_polls", "private")
