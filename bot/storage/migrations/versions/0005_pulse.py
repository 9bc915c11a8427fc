"""pulse tables, owned by the pulse issue.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0005_pulse
Revises: 0004_checkin
"""

from __future__ import annotations

revision = "0005_pulse"
down_revision = "0004_checkin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
