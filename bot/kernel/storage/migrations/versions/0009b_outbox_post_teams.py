"""Queued channel posts and updates name their team (the adapter refuses a post without one,
so that no channel of another team can be written to): fill it in for rows queued before.

Revision ID: 0009b_outbox_post_teams
Revises: 0009_replay_guard
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009b_outbox_post_teams"
down_revision = "0009_replay_guard"
branch_labels = None
depends_on = None

outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("effect", sa.JSON),
)
teams = sa.table(
    "teams",
    sa.column("id", sa.Integer),
    sa.column("platform", sa.String),
    sa.column("workspace_id", sa.String),
)
DONE = ("sent", "failed", "expired")


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(outbox.c.id, outbox.c.effect, teams.c.platform, teams.c.workspace_id)
        .join(teams, teams.c.id == outbox.c.team_id)
        .where(outbox.c.status.not_in(DONE))
    ).all()
    for row in rows:
        effect: Any = row.effect
        if not isinstance(effect, dict) or effect.get("type") not in ("post", "update"):
            continue
        if effect.get("team"):
            continue
        filled = {**effect, "team": [row.platform, row.workspace_id]}
        bind.execute(sa.update(outbox).where(outbox.c.id == row.id).values(effect=filled))


def downgrade() -> None:
    # The team stays in the JSON: older code ignores the key.
    return None
