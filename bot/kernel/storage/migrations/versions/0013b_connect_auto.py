"""Slack `connect auto on`: the log-off time itself pauses the person's Slack.

Revision ID: 0013b_connect_auto
Revises: 0009b_outbox_post_teams
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013b_connect_auto"
down_revision = "0009b_outbox_post_teams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "slack_user_tokens",
        sa.Column("auto_snooze", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("slack_user_tokens") as batch:
        batch.drop_column("auto_snooze")
