"""fenced delivery: lease fencing tokens, the outbox row's token and uncertain mark, and a
per-deployment salt for idempotency keys.

Revision ID: 0010_fenced_delivery
Revises: 0012_support_link
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0010_fenced_delivery"
down_revision = "0012_support_link"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lane_leases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fence", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("uncertain", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    deployment = op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    # One random salt per deployment (database): idempotency keys sent to the platforms are
    # derived from it, so two deployments sharing a Discord bot never collide.
    op.bulk_insert(deployment, [{"id": 1, "salt": secrets.token_hex(16)}])


def downgrade() -> None:
    op.drop_table("deployment")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("uncertain")
        batch_op.drop_column("fence")
    with op.batch_alter_table("lane_leases", schema=None) as batch_op:
        batch_op.drop_column("token")
