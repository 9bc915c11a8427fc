"""Tables of the scheduling and delivery engine.

* ``schedules`` — one row per (team, member, kind, ref) with an indexed ``next_due_at``: no
  per-user job lives in memory, so memory does not grow with users.
* ``outbox`` — one row per delivery, unique on (schedule, due time, seq): two dispatchers can
  never enqueue the same firing twice. Rows are kept after sending as the delivery log
  (e.g. which days a log-off reminder went out) until retention removes them.
* ``lane_leases`` — which process drains a lane (a Slack workspace, the Discord bot, the
  console) right now; one holder at a time, renewed while it works.
* ``dm_window_counts`` — scheduled DMs sent per team, UTC day and window category (no
  member column), written in the dispatcher's transaction; ``team disconnect`` reads them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.schedule_rules import Rule, rule_from_json
from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["Deployment", "DmWindowCount", "LaneLease", "OutboxRow", "Schedule"]


class Schedule(Base):
    """Something that falls due, again and again (daily/weekly) or once."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("team_id", "owner", "kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # NULL for a team-level schedule (a recurring pulse); ``owner`` makes the unique key work
    # for those too (NULLs never collide in a unique constraint): member id, or 0.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True, default=None
    )
    owner: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(48))
    ref: Mapped[str] = mapped_column(String(64), default="")
    rule_json: Mapped[dict[str, Any]] = mapped_column("rule")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # NULL = nothing due (finished, stopped, or a rule that cannot fire).
    next_due_at: Mapped[datetime | None] = mapped_column(index=True, default=None)
    last_due_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last member-local day already handled (fired, skipped by "Skip today" or "done").
    done_through: Mapped[date | None] = mapped_column(default=None)
    # Why it stopped, when the engine stopped it ("dm_blocked", "uninstalled").
    stopped: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def rule(self) -> Rule:
        """The rule as a value (``DailyLocal``, ``Once`` or ``WeeklyLocal``)."""
        return rule_from_json(self.rule_json)

    @property
    def family(self) -> str:
        """``logoff`` for ``logoff.remind``: "Skip today" skips a whole family."""
        return self.kind.split(".", 1)[0]


class OutboxRow(Base):
    """One message to deliver, written in the same transaction that advanced its schedule."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("schedule_id", "due_at", "seq"),
        Index("ix_outbox_status_lane_not_before_id", "status", "lane", "not_before", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True, default=None
    )
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    due_at: Mapped[datetime] = mapped_column()
    seq: Mapped[int] = mapped_column(default=0)
    lane: Mapped[str] = mapped_column(String(80))
    effect: Mapped[dict[str, Any]] = mapped_column()
    # pending | retry → claimed → sending → sent | failed | expired (or back to retry).
    # "claimed" and "sending" carry the lane's fencing token in ``fence``.
    status: Mapped[str] = mapped_column(String(12), default="pending")
    not_before: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80), default=None)
    # The lease token the row was claimed under: every transition requires it to be current.
    fence: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The platform may have the message already (a 5xx, a timeout, a holder that died while
    # "sending"): look it up or rely on the platform's idempotency before sending again.
    uncertain: Mapped[bool] = mapped_column(default=False, server_default=false())
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    platform_message_id: Mapped[str | None] = mapped_column(String(100), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LaneLease(Base):
    """Who drains a lane now. A holder renews before ``expires_at``; after it, anyone may
    take over (a crashed process loses its lanes within one lease period)."""

    __tablename__ = "lane_leases"

    lane: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime] = mapped_column()
    # Grows by one at every grant to a new holder or after an expiry; never reset (a
    # released lease keeps its row and token). Outbox transitions are conditional on it.
    token: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class Deployment(Base):
    """One row: this deployment's random salt for idempotency keys (Discord nonces,
    Slack message metadata)."""

    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class DmWindowCount(Base):
    __tablename__ = "dm_window_counts"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)  # UTC date the DM goes out
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
