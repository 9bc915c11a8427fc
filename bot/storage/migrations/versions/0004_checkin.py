"""checkin tables, owned by the checkin issue.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0004_checkin
Revises: 0003_quiz
"""

from __future__ import annotations

revision = "0004_checkin"
down_revision = "0003_quiz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
