"""The right to disconnect: working windows, strict mode, the policy line, late-work
choices, per-team DM counts and Slack user tokens.

Revision ID: 0013_disconnect
Revises: 0010_fenced_delivery
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0013_disconnect"
down_revision = "0010_fenced_delivery"
branch_labels = None
depends_on = None

UTC = UTCDateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: on SQLite a batch may copy the table, and dropping the
    # old `teams`/`members` would cascade-delete every row that references them.
    op.add_column(
        "teams",
        sa.Column(
            "default_work_start", sa.String(length=5), nullable=False, server_default="09:00"
        ),
    )
    op.add_column(
        "teams",
        sa.Column("strict_disconnect", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("teams", sa.Column("policy_line", sa.String(length=200), nullable=True))
    op.add_column("members", sa.Column("work_start", sa.String(length=5), nullable=True))
    op.add_column("members", sa.Column("work_end", sa.String(length=5), nullable=True))
    op.add_column("members", sa.Column("early_start_at", UTC, nullable=True))
    op.add_column("members", sa.Column("checkin_outside_ok", sa.String(length=5), nullable=True))
    op.create_table(
        "late_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_late_choices_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_late_choices_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_choices")),
        sa.UniqueConstraint(
            "member_id", "local_date", name=op.f("uq_late_choices_member_id_local_date")
        ),
    )
    op.create_index(op.f("ix_late_choices_team_id"), "late_choices", ["team_id"], unique=False)
    op.create_table(
        "dm_window_counts",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_dm_window_counts_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "day", "category", name=op.f("pk_dm_window_counts")),
    )
    op.create_table(
        "slack_user_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("snoozed_until", UTC, nullable=True),
        sa.Column("status_until", UTC, nullable=True),
        sa.Column("broken", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_slack_user_tokens_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_slack_user_tokens_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_user_tokens")),
        sa.UniqueConstraint("member_id", name=op.f("uq_slack_user_tokens_member_id")),
    )
    op.create_index(
        op.f("ix_slack_user_tokens_team_id"), "slack_user_tokens", ["team_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_user_tokens_team_id"), table_name="slack_user_tokens")
    op.drop_table("slack_user_tokens")
    op.drop_table("dm_window_counts")
    op.drop_index(op.f("ix_late_choices_team_id"), table_name="late_choices")
    op.drop_table("late_choices")
    # DROP COLUMN (SQLite 3.35+), for the same reason as above.
    for column in ("checkin_outside_ok", "early_start_at", "work_end", "work_start"):
        op.drop_column("members", column)
    for column in ("policy_line", "strict_disconnect", "default_work_start"):
        op.drop_column("teams", column)
