"""Tables of the pulse feature: polls, their answer counters, who has answered, and
recurring series.

Anonymity is a property of this schema, not of the code that uses it:

* ``pulse_counts`` holds one counter per (poll, answer), incremented in place. There is no
  ballot row, so there is nothing to join a person to.
* ``pulse_participants`` holds only that *someone* answered: a keyed hash of (team, poll,
  user) under the poll's own secret. It has no member id, no foreign key to members, no
  timestamp and no surrogate id that would number the answers in order; its primary key is
  (poll, voter). On SQLite it is a WITHOUT ROWID table, so not even the hidden rowid counts
  the answers. At close the rows and the secret are deleted.
* ``pulse_polls`` has no ``updated_at`` — the time of the last answer is never written down.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow

__all__ = ["PulseAsker", "PulseCount", "PulseParticipant", "PulsePoll", "PulseSeries"]


class PulseSeries(Base):
    """A recurring pulse: a template asked every week at a local time."""

    __tablename__ = "pulse_series"
    __table_args__ = (UniqueConstraint("team_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # shown to people; counts per team
    template: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int]  # Monday = 0
    at: Mapped[str] = mapped_column(String(5))  # local HH:MM
    zone: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_name: Mapped[str] = mapped_column(String(200), default="")
    # How long each poll stays open; NULL = until an hour before the next one.
    open_minutes: Mapped[int | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PulsePoll(Base):
    """One poll. ``responses`` is a counter (not a list); ``secret`` keys the participant
    hashes while the poll is open and is erased when it closes."""

    __tablename__ = "pulse_polls"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        Index(None, "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # shown to people (`pulse close 3`); counts per team
    question: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[str]] = mapped_column(JSON)
    legend: Mapped[str] = mapped_column(String(200), default="")
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_name: Mapped[str] = mapped_column(String(200), default="")
    zone: Mapped[str] = mapped_column(String(64), default="UTC")  # for showing the deadline
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    responses: Mapped[int] = mapped_column(default=0)
    k: Mapped[int] = mapped_column(default=5)  # the team's k when the poll opened
    secret: Mapped[str | None] = mapped_column(String(64), default=None)
    template: Mapped[str | None] = mapped_column(String(64), default=None)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("pulse_series.id", ondelete="SET NULL"), default=None, index=True
    )


class PulseAsker(Base):
    """Who asked a poll (for "asked by" and for who may close it early). Kept apart from the
    poll so that ``forget`` deletes this link and the name, and the poll — other people's
    anonymous answers — stays."""

    __tablename__ = "pulse_askers"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("pulse_polls.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")


class PulseCount(Base):
    """How many people gave one answer to one poll. Incremented in place, never per vote."""

    __tablename__ = "pulse_counts"
    __table_args__ = (PrimaryKeyConstraint("poll_id", "option"), {"sqlite_with_rowid": False})

    poll_id: Mapped[int] = mapped_column(ForeignKey("pulse_polls.id", ondelete="CASCADE"))
    option: Mapped[int]  # index into PulsePoll.options
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(default=0)


class PulseParticipant(Base):
    """That someone answered a poll — the keyed hash only, nothing about what or when."""

    __tablename__ = "pulse_participants"
    __table_args__ = (PrimaryKeyConstraint("poll_id", "voter"), {"sqlite_with_rowid": False})

    poll_id: Mapped[int] = mapped_column(ForeignKey("pulse_polls.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 hex, see domain.pulse
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
