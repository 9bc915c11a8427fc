"""Tables of the right to disconnect (migration 0013).

* ``late_choices`` — one private answer per member per local day to "was working late your
  choice, or did you need to?". Only the member sees their own; the team sees a weekly
  share only when at least k people answered (``bot.features.disconnect.report``).
* ``dm_window_counts`` — how many scheduled DMs the bot sent, per team, UTC day and category
  (inside the person's window / outside as they asked / outside unasked). No member column:
  the works-council report is built from these counts alone.
* ``slack_user_tokens`` — a member's Slack user token (scopes ``dnd:write``,
  ``users.profile:write``), encrypted with the server key; never in the installation row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow
from bot.security.secrets import EncryptedText

__all__ = ["LateChoice", "SlackUserToken"]


class LateChoice(Base):
    __tablename__ = "late_choices"
    __table_args__ = (UniqueConstraint("member_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date]
    choice: Mapped[str] = mapped_column(String(8))  # "choice" | "needed"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlackUserToken(Base):
    __tablename__ = "slack_user_tokens"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column("token_encrypted", EncryptedText)
    scopes: Mapped[str] = mapped_column(String(200), default="")
    # what Crossfade last set, so an early start clears exactly that and a revoked token
    # is noticed once
    snoozed_until: Mapped[datetime | None] = mapped_column(default=None)
    status_until: Mapped[datetime | None] = mapped_column(default=None)
    broken: Mapped[str | None] = mapped_column(String(64), default=None)
    # `connect auto on` (0013b): the log-off time itself pauses Slack, no button needed
    auto_snooze: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
