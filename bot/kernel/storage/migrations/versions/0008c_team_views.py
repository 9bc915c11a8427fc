"""Published team views: the quiz distribution changes only
when at least k people's results changed.

Revision ID: 0008c_team_views
Revises: 0008b_sealed_ballots
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0008c_team_views"
down_revision = "0008b_sealed_ballots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_view_versions",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column(
            "published_at",
            UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_view_versions_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "view", name=op.f("pk_team_view_versions")),
    )
    op.create_table(
        "team_view_pending",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(length=32), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_view_pending_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "view", "person", name=op.f("pk_team_view_pending")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("team_view_pending")
    op.drop_table("team_view_versions")
