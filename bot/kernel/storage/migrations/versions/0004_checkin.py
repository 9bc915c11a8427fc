"""The check-in tables: check-ins (one per member per local date) and
the nudges sent.

Revision ID: 0004_checkin
Revises: 0003_quiz
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0004_checkin"
down_revision = "0003_quiz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("energy", sa.String(length=8), nullable=True),
        sa.Column("hours", sa.String(length=8), nullable=True),
        sa.Column("took_break", sa.Boolean(), nullable=True),
        sa.Column("downtime", sa.Boolean(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_checkins_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_checkins_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint(
            "member_id", "local_date", name=op.f("uq_checkins_member_id_local_date")
        ),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkins_team_id_local_date", ["team_id", "local_date"], unique=False
        )

    op.create_table(
        "checkin_nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=32), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_checkin_nudges_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_checkin_nudges_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_nudges")),
    )
    with op.batch_alter_table("checkin_nudges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkin_nudges_member_id_pattern", ["member_id", "pattern"], unique=False
        )
        batch_op.create_index(
            "ix_checkin_nudges_team_id_sent_on", ["team_id", "sent_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("checkin_nudges", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_nudges_team_id_sent_on")
        batch_op.drop_index("ix_checkin_nudges_member_id_pattern")
    op.drop_table("checkin_nudges")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_team_id_local_date")
    op.drop_table("checkins")
