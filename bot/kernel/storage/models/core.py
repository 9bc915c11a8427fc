"""Teams, members, conversations in progress and remembered channel posts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["Conversation", "Member", "PostedMessage", "Team"]

MON_TO_FRI = 0b0011111  # bit 0 = Monday … bit 6 = Sunday


class Team(Base):
    """One Slack workspace, Discord guild or console session. Every other row hangs off one."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("platform", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    default_timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    default_logoff: Mapped[str] = mapped_column(String(5), default="17:30")
    pulse_channel_id: Mapped[str | None] = mapped_column(String(64), default=None)
    pulse_channel_name: Mapped[str | None] = mapped_column(String(200), default=None)
    k_threshold: Mapped[int] = mapped_column(default=5)
    pulse_creators: Mapped[str] = mapped_column(String(16), default="everyone")
    retention_days: Mapped[int] = mapped_column(default=365)
    # Where the quiz points someone whose answers show exhaustion (e.g. an employee
    # assistance programme); None = no link, only the advice.
    support_link: Mapped[str | None] = mapped_column(String(300), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the right to disconnect (migration 0013): team start of day, strict mode, the norm
    default_work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    strict_disconnect: Mapped[bool] = mapped_column(default=True)
    policy_line: Mapped[str | None] = mapped_column(String(200), default=None)


class Member(Base):
    """A person in a team and their personal rules (zone, workdays, quiet hours, away days)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    # "user" when set with /crossfade timezone (then the platform's value never overrides it)
    timezone_source: Mapped[str | None] = mapped_column(String(16), default=None)
    workdays: Mapped[int] = mapped_column(default=MON_TO_FRI)
    quiet_start: Mapped[str | None] = mapped_column(String(5), default="20:00")
    quiet_end: Mapped[str | None] = mapped_column(String(5), default="08:00")
    away_start: Mapped[date | None] = mapped_column(default=None)
    away_end: Mapped[date | None] = mapped_column(default=None)
    holidays: Mapped[str | None] = mapped_column(String(16), default=None)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # set when the platform says this person cannot be messaged (blocked DMs, deactivated)
    dm_blocked: Mapped[bool] = mapped_column(default=False)
    # the working window (migration 0013): start of day (else the team's), end of day (else
    # the log-off time), today's early start, and a check-in time confirmed outside it
    work_start: Mapped[str | None] = mapped_column(String(5), default=None)
    work_end: Mapped[str | None] = mapped_column(String(5), default=None)
    early_start_at: Mapped[datetime | None] = mapped_column(default=None)
    checkin_outside_ok: Mapped[str | None] = mapped_column(String(5), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Conversation(Base):
    """A conversation in progress (quiz step, check-in step): a row, so any instance and any
    restart continues it. ``version`` guards against two clicks racing on one row."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("member_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class PostedMessage(Base):
    """The platform's id for a channel message the core asked to remember (``Post.ref_key``),
    e.g. a pulse poll post that is updated as answers come in and at close."""

    __tablename__ = "posted_messages"
    __table_args__ = (UniqueConstraint("team_id", "ref_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    ref_key: Mapped[str] = mapped_column(String(100))
    place_kind: Mapped[str] = mapped_column(String(16))
    place_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
