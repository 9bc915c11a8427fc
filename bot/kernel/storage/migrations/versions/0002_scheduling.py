"""scheduling: schedules, outbox, lane leases, log-off settings and days.

Fill in upgrade/downgrade here rather than adding a new revision, so that the chain
stays linear while features land in parallel.

Revision ID: 0002_scheduling
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.kernel.storage.models.base import UTCDateTime

revision = "0002_scheduling"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("next_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_through", sa.Date(), nullable=True),
        sa.Column("stopped", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        _fk("schedules", "member_id", "members.id"),
        _fk("schedules", "team_id", "teams.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
        sa.UniqueConstraint(
            "team_id", "owner", "kind", "ref", name=op.f("uq_schedules_team_id_owner_kind_ref")
        ),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedules_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_team_id"), ["team_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=80), nullable=False),
        sa.Column("effect", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("not_before", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("platform_message_id", sa.String(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _fk("outbox", "member_id", "members.id"),
        _fk("outbox", "schedule_id", "schedules.id"),
        _fk("outbox", "team_id", "teams.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "schedule_id", "due_at", "seq", name=op.f("uq_outbox_schedule_id_due_at_seq")
        ),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_status_lane_not_before_id",
            ["status", "lane", "not_before", "id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_outbox_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_team_id"), ["team_id"], unique=False)

    op.create_table(
        "lane_leases",
        sa.Column("lane", sa.String(length=80), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lane", name=op.f("pk_lane_leases")),
    )

    op.create_table(
        "logoff_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("at", sa.String(length=5), nullable=True),
        sa.Column("hours", sa.Double(), nullable=True),
        sa.Column("hard_stop", sa.String(length=5), nullable=True),
        sa.Column("heads_up_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        _fk("logoff_settings", "member_id", "members.id"),
        _fk("logoff_settings", "team_id", "teams.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logoff_settings")),
        sa.UniqueConstraint("member_id", name=op.f("uq_logoff_settings_member_id")),
    )
    with op.batch_alter_table("logoff_settings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_logoff_settings_team_id"), ["team_id"], unique=False)

    op.create_table(
        "logoff_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("target", sa.String(length=5), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("logged_off_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        _fk("logoff_days", "member_id", "members.id"),
        _fk("logoff_days", "team_id", "teams.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logoff_days")),
        sa.UniqueConstraint(
            "member_id", "local_date", name=op.f("uq_logoff_days_member_id_local_date")
        ),
    )
    with op.batch_alter_table("logoff_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_logoff_days_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("logoff_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_logoff_days_team_id"))
    op.drop_table("logoff_days")
    with op.batch_alter_table("logoff_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_logoff_settings_team_id"))
    op.drop_table("logoff_settings")
    op.drop_table("lane_leases")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_team_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_member_id"))
        batch_op.drop_index("ix_outbox_status_lane_not_before_id")
    op.drop_table("outbox")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_team_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_next_due_at"))
        batch_op.drop_index(batch_op.f("ix_schedules_member_id"))
    op.drop_table("schedules")
