"""scheduling tables, owned by the scheduling issue.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0002_scheduling
Revises: 0001_core
"""

from __future__ import annotations

revision = "0002_scheduling"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
