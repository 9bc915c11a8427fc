"""slack tables, owned by the slack issue.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0006_slack
Revises: 0005_pulse
"""

from __future__ import annotations

revision = "0006_slack"
down_revision = "0005_pulse"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
