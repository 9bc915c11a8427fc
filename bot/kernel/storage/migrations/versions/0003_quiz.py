"""The quiz's table: each person's results, the current one marked (the earlier ones are
the history).

Revision ID: 0003_quiz
Revises: 0002_scheduling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0003_quiz"
down_revision = "0002_scheduling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("session", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_quiz_results_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_quiz_results_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_results")),
    )
    with op.batch_alter_table("quiz_results", schema=None) as batch_op:
        # One current result per member; older rows are the history.
        batch_op.create_index(
            batch_op.f("ix_quiz_results_member_id_is_current"),
            ["member_id", "is_current"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )
        batch_op.create_index(
            batch_op.f("ix_quiz_results_member_id_created_at"),
            ["member_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quiz_results_team_id_is_current"),
            ["team_id", "is_current"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_results_team_id_is_current"))
        batch_op.drop_index(batch_op.f("ix_quiz_results_member_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_quiz_results_member_id_is_current"))
    op.drop_table("quiz_results")
