"""Table of the Discord adapter: each person's home guild and DM channel.

Revision ID: 0007_discord
Revises: 0006_slack
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0007_discord"
down_revision = "0006_slack"
branch_labels = None
depends_on = None

UTC = UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "discord_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.String(length=32), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("dm_channel_id", sa.String(length=32), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_discord_users_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_users")),
        sa.UniqueConstraint("user_id", name=op.f("uq_discord_users_user_id")),
    )
    with op.batch_alter_table("discord_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_discord_users_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("discord_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discord_users_team_id"))
    op.drop_table("discord_users")
