"""Slack request signatures already served, hashed
(a replayed request is refused by every instance).

Revision ID: 0009_replay_guard
Revises: 0013_disconnect
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_replay_guard"
down_revision = "0013_disconnect"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_seen_signatures",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_slack_seen_signatures")),
    )
    op.create_index("ix_slack_seen_signatures_expires", "slack_seen_signatures", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_slack_seen_signatures_expires", table_name="slack_seen_signatures")
    op.drop_table("slack_seen_signatures")
