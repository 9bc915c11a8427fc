"""Tables of log-off: a member's preferences and the outcome of each local day.

* ``logoff_settings`` — a fixed time, or integration mode (hours since ``start`` with a hard
  stop), and the wind-down heads-up.
* ``logoff_days`` — the outcome of each local day's log-off reminder.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["LogoffDay", "LogoffSettings"]


class LogoffSettings(Base):
    """A member's log-off preferences: a fixed time, or integration mode (hours since
    ``start`` with a hard stop), and the wind-down heads-up."""

    __tablename__ = "logoff_settings"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(8), default="off")  # off | fixed | hours
    at: Mapped[str | None] = mapped_column(String(5), default=None)  # HH:MM (fixed mode)
    hours: Mapped[float | None] = mapped_column(default=None)  # hours mode
    hard_stop: Mapped[str | None] = mapped_column(String(5), default=None)  # HH:MM
    heads_up_minutes: Mapped[int] = mapped_column(default=10)  # 0 = no heads-up
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LogoffDay(Base):
    """One member-local day of log-off: the target, what happened, and when."""

    __tablename__ = "logoff_days"
    __table_args__ = (UniqueConstraint("member_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column()
    target: Mapped[str | None] = mapped_column(String(5), default=None)  # HH:MM local
    # open (started / reminded, no answer yet) | on_time | late | working_late
    outcome: Mapped[str] = mapped_column(String(16), default="open")
    snoozes: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    logged_off_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
