"""Tables of the check-in feature: one check-in per member per local date, and the nudges
sent (so that a nudge for the same pattern is not repeated within a week).

Both are private to the member: nothing else in the product reads them, and deleting the
member (``forget``) removes them by cascade.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["CheckIn", "NudgeSent"]


class CheckIn(Base):
    """One person's answers for one *local* date. Answers arrive one button at a time, so
    every answer column may be empty until it is given; answering again overwrites."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("member_id", "local_date"),
        # the retention purge deletes by (team, date)
        Index("ix_checkins_team_id_local_date", "team_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date]
    mood: Mapped[int | None] = mapped_column(default=None)  # 1–5
    energy: Mapped[str | None] = mapped_column(String(8), default=None)  # low / ok / high
    hours: Mapped[str | None] = mapped_column(String(8), default=None)  # lt6 / 6-8 / 8-10 / 10+
    took_break: Mapped[bool | None] = mapped_column(default=None)
    downtime: Mapped[bool | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(String(200), default=None)
    # the zone the date was read in, so a later zone change never re-dates old answers
    zone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NudgeSent(Base):
    """A nudge shown to a member, by pattern, on a local date."""

    __tablename__ = "checkin_nudges"
    __table_args__ = (
        Index("ix_checkin_nudges_member_id_pattern", "member_id", "pattern"),
        Index("ix_checkin_nudges_team_id_sent_on", "team_id", "sent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    pattern: Mapped[str] = mapped_column(String(32))
    sent_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
