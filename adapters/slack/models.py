"""Tables of the Slack adapter: OAuth installations and states, what Slack told us about
people (zone, admin, DM channel), and the event ids already handled (Slack retries).

The adapter owns these tables; the core never reads them. Installations, people and
receipts hang off a team (one team per workspace) and go with it by cascade. OAuth states
are the one exception: they exist before the workspace is known, and expire in minutes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow
from bot.security.secrets import EncryptedText

__all__ = [
    "SeenSignature",
    "SlackEventReceipt",
    "SlackInstallation",
    "SlackOAuthState",
    "SlackUser",
]


class SlackInstallation(Base):
    """The newest OAuth v2 installation of the app in one workspace (or one Enterprise Grid
    organisation for org-wide installs). Reinstalling replaces the row; uninstalling deletes it.

    ``enterprise_id`` and ``slack_team_id`` hold ``""`` rather than NULL when absent, so that
    the unique key also holds for workspaces outside Enterprise Grid. Tokens and the webhook
    URL are stored encrypted with the server key (``EncryptedText``)."""

    __tablename__ = "slack_installations"
    __table_args__ = (UniqueConstraint("client_id", "enterprise_id", "slack_team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    app_id: Mapped[str] = mapped_column(String(32), default="")
    enterprise_id: Mapped[str] = mapped_column(String(32), default="")
    enterprise_name: Mapped[str | None] = mapped_column(String(200), default=None)
    enterprise_url: Mapped[str | None] = mapped_column(String(200), default=None)
    slack_team_id: Mapped[str] = mapped_column(String(32), default="")
    team_name: Mapped[str | None] = mapped_column(String(200), default=None)
    bot_token: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    bot_id: Mapped[str | None] = mapped_column(String(32), default=None)
    bot_user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    bot_scopes: Mapped[str | None] = mapped_column(String(1000), default=None)
    bot_refresh_token: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    bot_token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    installer_user_id: Mapped[str] = mapped_column(String(32), default="")
    user_token: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    user_scopes: Mapped[str | None] = mapped_column(String(1000), default=None)
    user_refresh_token: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    user_token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    incoming_webhook_url: Mapped[str | None] = mapped_column(EncryptedText(), default=None)
    incoming_webhook_channel: Mapped[str | None] = mapped_column(String(200), default=None)
    incoming_webhook_channel_id: Mapped[str | None] = mapped_column(String(32), default=None)
    incoming_webhook_configuration_url: Mapped[str | None] = mapped_column(
        String(255), default=None
    )
    is_enterprise_install: Mapped[bool] = mapped_column(default=False)
    token_type: Mapped[str | None] = mapped_column(String(32), default=None)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SlackOAuthState(Base):
    """A one-time ``state`` value of an install that is under way (expires in minutes)."""

    __tablename__ = "slack_oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(64), unique=True)
    expire_at: Mapped[datetime] = mapped_column(index=True)


class SlackUser(Base):
    """What Slack told us about a person: their zone and admin rights (``users.info``) and
    the id of the bot's DM with them (``conversations.open``), shared by every instance."""

    __tablename__ = "slack_users"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    is_admin: Mapped[bool] = mapped_column(default=False)
    dm_channel_id: Mapped[str | None] = mapped_column(String(32), default=None)
    facts_fetched_at: Mapped[datetime | None] = mapped_column(default=None)


class SlackEventReceipt(Base):
    """An Events API ``event_id`` already taken on, so that Slack's retries of it (same id,
    ``X-Slack-Retry-Num`` set) are acknowledged and dropped on any instance."""

    __tablename__ = "slack_event_receipts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "event_id"),
        Index("ix_slack_event_receipts_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Slack's workspace id, not a team row: a receipt is written before (and even without)
    # a team, e.g. for the app_uninstalled event of a workspace we never saw.
    workspace_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


# Request signatures already seen (replay refusal): a SHA-256 of one request's
# X-Slack-Signature and the end of the five-minute bucket after which it could no longer pass
# Slack's timestamp check. Nothing about who sent it or what it asked, so even a vote's row
# tells nothing about the voter.
class SeenSignature(Base):
    __tablename__ = "slack_seen_signatures"
    __table_args__ = (Index("ix_slack_seen_signatures_expires", "expires"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires: Mapped[int] = mapped_column(BigInteger)  # unix seconds, a multiple of 300
