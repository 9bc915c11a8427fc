"""Tables of the Discord adapter: what it keeps about a person across guilds.

The adapter owns this table; the core never reads it. Discord has one DM channel between
the bot and a person whatever guilds they share, so a DM (a slash command, a button in a
DM, a DM text) carries no guild: the row says which guild — which team — such DMs belong
to (their *home*: the guild where they last used Crossfade), and whether they may manage
that guild, since a DM carries no member permissions either. It also caches the id of the
bot's DM channel with them, so every instance opens it at most once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["DiscordUser"]


class DiscordUser(Base):
    """One Discord user the bot has met: their home team and the bot's DM channel with them.

    ``user_id`` is unique across guilds on purpose (it is Discord's global user id); the row
    hangs off the home team and goes with it by cascade."""

    __tablename__ = "discord_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    guild_id: Mapped[str] = mapped_column(String(32))
    is_admin: Mapped[bool] = mapped_column(default=False)
    dm_channel_id: Mapped[str | None] = mapped_column(String(32), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
