"""discord tables, owned by the discord issue.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0007_discord
Revises: 0006_slack
"""

from __future__ import annotations

revision = "0007_discord"
down_revision = "0006_slack"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
