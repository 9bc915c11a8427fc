"""Tables of the right to disconnect (migration 0013).

* ``late_choices`` — one private answer per member per local day to "was working late your
  choice, or did you need to?". Only the member sees their own; the team sees a weekly
  share only when at least k people answered (``bot.features.disconnect.report``).
* ``dm_window_counts`` — how many scheduled DMs the bot sent, per team, UTC day and category
  (inside the person's window / outside as they asked / outside unasked). No member column:
  the works-council report is built from these counts alone.

A member's Slack user token (``slack_user_tokens``) is shared with the Slack adapter, so it
lives in the kernel's storage (``bot.kernel.storage.models.presence``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["LateChoice"]


class LateChoice(Base):
    __tablename__ = "late_choices"
    __table_args__ = (UniqueConstraint("member_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    local_date: Mapped[date]
    choice: Mapped[str] = mapped_column(String(8))  # "choice" | "needed"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
