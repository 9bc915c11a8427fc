"""quiz tables, owned by the quiz issue.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0003_quiz
Revises: 0002_scheduling
"""

from __future__ import annotations

revision = "0003_quiz"
down_revision = "0002_scheduling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
