"""The pulse tables.

Polls, their per-answer counters, who has answered (keyed hashes, no member id, no
timestamps, no surrogate id) and recurring series. See bot/features/pulse/models.py for why
the tables look the way they do.

Revision ID: 0005_pulse
Revises: 0004_checkin
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0005_pulse"
down_revision = "0004_checkin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pulse_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=5), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("channel_name", sa.String(length=200), nullable=False),
        sa.Column("open_minutes", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_pulse_series_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_series")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_pulse_series_team_id_number")),
    )
    op.create_index(op.f("ix_pulse_series_team_id"), "pulse_series", ["team_id"], unique=False)

    op.create_table(
        "pulse_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("legend", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("channel_name", sa.String(length=200), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=True),
        sa.Column("template", sa.String(length=64), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["pulse_series.id"],
            name=op.f("fk_pulse_polls_series_id_pulse_series"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_pulse_polls_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_polls")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_pulse_polls_team_id_number")),
    )
    op.create_index(op.f("ix_pulse_polls_team_id"), "pulse_polls", ["team_id"], unique=False)
    op.create_index(op.f("ix_pulse_polls_series_id"), "pulse_polls", ["series_id"], unique=False)
    op.create_index(
        op.f("ix_pulse_polls_status_closes_at"),
        "pulse_polls",
        ["status", "closes_at"],
        unique=False,
    )

    op.create_table(
        "pulse_askers",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_pulse_askers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["pulse_polls.id"],
            name=op.f("fk_pulse_askers_poll_id_pulse_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_pulse_askers_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", name=op.f("pk_pulse_askers")),
    )
    op.create_index(op.f("ix_pulse_askers_member_id"), "pulse_askers", ["member_id"], unique=False)

    # Composite keys and WITHOUT ROWID: no surrogate id or hidden rowid numbers the answers.
    op.create_table(
        "pulse_counts",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["pulse_polls.id"],
            name=op.f("fk_pulse_counts_poll_id_pulse_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_pulse_counts_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "option", name=op.f("pk_pulse_counts")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "pulse_participants",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["pulse_polls.id"],
            name=op.f("fk_pulse_participants_poll_id_pulse_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_pulse_participants_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "voter", name=op.f("pk_pulse_participants")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("pulse_participants")
    op.drop_table("pulse_counts")
    op.drop_index(op.f("ix_pulse_askers_member_id"), table_name="pulse_askers")
    op.drop_table("pulse_askers")
    op.drop_index(op.f("ix_pulse_polls_status_closes_at"), table_name="pulse_polls")
    op.drop_index(op.f("ix_pulse_polls_series_id"), table_name="pulse_polls")
    op.drop_index(op.f("ix_pulse_polls_team_id"), table_name="pulse_polls")
    op.drop_table("pulse_polls")
    op.drop_index(op.f("ix_pulse_series_team_id"), table_name="pulse_series")
    op.drop_table("pulse_series")
