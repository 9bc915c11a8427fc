"""A person's grant to pause their platform notifications (Slack ``connect``): the user
token, encrypted with the server key, and what Crossfade last did with it.

Shared by the feature that uses the grant (log-off pauses Slack) and the Slack adapter that
stores the token and makes the calls, so it lives below both. Migrations 0013 and 0013b.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow
from bot.security.secrets import EncryptedText

__all__ = ["SlackUserToken"]


class SlackUserToken(Base):
    """A member's Slack user token (scopes ``dnd:write``, ``users.profile:write``); never in
    the installation row."""

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
    # `connect auto on`: the log-off time itself pauses Slack, no button needed
    auto_snooze: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
