"""Tables of the pulse feature: polls, their sealed ballots, who has answered, the totals
written at close, and recurring series.

Anonymity is a property of this schema, not of the code that uses it. The rule: nothing
written while a poll is open depends on an answer in a form readable without the server key.

* ``pulse_poll_keys`` holds an open poll's public key and its private key *wrapped* with the
  server key (``bot.security.ballots``). It is deleted at close.
* ``pulse_ballots`` holds one answer each, sealed to the poll's public key and padded to one
  length. Its id is random (not a counter) and, on SQLite, it is a WITHOUT ROWID table, so
  neither the id nor a hidden rowid numbers the votes. Deleted at close.
* ``pulse_participants`` holds only that *someone* answered: a keyed hash of (team, poll,
  user) under a sub-key of the server key the poll was created under (``key_id``). No member
  id, no timestamp, no surrogate id; primary key (poll, voter); WITHOUT ROWID on SQLite.
  Deleted at close.
* ``pulse_counts`` is written once, at close, and only when at least k answered.
* ``pulse_polls`` has no ``updated_at``, and an answer does not write to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = [
    "PulseAsker",
    "PulseBallot",
    "PulseCount",
    "PulseParticipant",
    "PulsePoll",
    "PulsePollKey",
    "PulseSeries",
]


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
    """One poll. ``responses`` is the number of answers counted at close (while it is open,
    the live count is the number of participant rows); ``unreadable`` how many ballots could
    not be opened at close. ``key_id`` names the server key the poll is bound to.
    ``secret`` only exists for polls opened before sealed ballots (erased at close)."""

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
    key_id: Mapped[str | None] = mapped_column(String(16), default=None)
    # asked in a private channel: listed and shown only there and to its asker
    private: Mapped[bool] = mapped_column(default=False)
    unreadable: Mapped[int] = mapped_column(default=0)
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
    """How many people gave one answer to one poll: written once, at close, at k or above."""

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
    voter: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 hex: security.ballots
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))


class PulsePollKey(Base):
    """An open poll's key pair: the public key ballots are sealed to, and the private key
    wrapped with the server key ``key_id``. Deleted, with the ballots, when the poll closes."""

    __tablename__ = "pulse_poll_keys"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("pulse_polls.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    key_id: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)


class PulseBallot(Base):
    """One sealed answer. The id is random, so ids do not number the votes."""

    __tablename__ = "pulse_ballots"
    __table_args__ = (
        PrimaryKeyConstraint("id"),
        Index(None, "poll_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32))
    poll_id: Mapped[int] = mapped_column(ForeignKey("pulse_polls.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
