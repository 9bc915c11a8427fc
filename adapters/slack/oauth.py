"""OAuth v2 installs for many workspaces, stored in the bot's own database.

slack-sdk ships SQLAlchemy stores, but they keep Slack's team id as a loose string, naive
timestamps and their own metadata; ours tie each installation to the core's team row (one
team per workspace, deleted together), store UTC like every other table, reactivate the
team on reinstall, and go through the same units of work as the rest of the bot.

:class:`adapters.slack.authorize.StoredAuthorize` answers Bolt's ``authorize`` from the
stored installation.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from logging import Logger
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, select

from adapters.slack.models import SlackInstallation, SlackOAuthState
from bot.kernel.clock import Clock
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.teams import joined

__all__ = ["InstallationStore", "StateStore", "installation_key"]

log = logging.getLogger(__name__)


def installation_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> tuple[str, str]:
    """Org-wide installs are found by enterprise alone (as slack-sdk's stores do)."""
    if is_enterprise_install or not team_id:
        return enterprise_id or "", ""
    return enterprise_id or "", team_id


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value), tz=UTC)


def _scopes(value: Any) -> str | None:
    if not value:
        return None
    return value if isinstance(value, str) else ",".join(value)


class InstallationStore(AsyncInstallationStore):
    """slack-sdk's installation store contract over ``slack_installations``."""

    def __init__(
        self,
        db: Database,
        *,
        client_id: str,
        default_timezone: str = "UTC",
        on_change: Callable[[str, str], None] | None = None,
    ) -> None:
        self.db = db
        self.client_id = client_id
        self.default_timezone = default_timezone
        # told (enterprise key, team key) whenever a workspace's tokens change
        self.on_change = on_change
        self._logger = log

    @property
    def logger(self) -> Logger:
        return self._logger

    def _changed(self, key: tuple[str, str]) -> None:
        if self.on_change is not None:
            self.on_change(*key)

    async def _find_row(self, session: Any, key: tuple[str, str]) -> SlackInstallation | None:
        found: SlackInstallation | None = await session.scalar(
            select(SlackInstallation).where(
                SlackInstallation.client_id == self.client_id,
                SlackInstallation.enterprise_id == key[0],
                SlackInstallation.slack_team_id == key[1],
            )
        )
        return found

    async def async_save(self, installation: Installation) -> None:
        """Store the newest installation of a workspace and (re)activate its team."""
        key = installation_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        name = installation.team_name or installation.enterprise_name
        async with self.db.uow() as uow:
            team = await joined(
                uow,
                TeamKey("slack", key[1] or key[0]),
                name=str(name) if name else None,
                default_timezone=self.default_timezone,
            )
            row = await self._find_row(uow.session, key)
            if row is None:
                row = SlackInstallation(
                    client_id=self.client_id, enterprise_id=key[0], slack_team_id=key[1]
                )
                uow.session.add(row)
            row.team_id = team.id
            row.app_id = installation.app_id or ""
            row.enterprise_name = installation.enterprise_name
            row.enterprise_url = installation.enterprise_url
            row.team_name = installation.team_name
            row.bot_token = installation.bot_token
            row.bot_id = installation.bot_id
            row.bot_user_id = installation.bot_user_id
            row.bot_scopes = _scopes(installation.bot_scopes)
            row.bot_refresh_token = installation.bot_refresh_token
            row.bot_token_expires_at = _aware(installation.bot_token_expires_at)
            row.installer_user_id = installation.user_id or ""
            row.user_token = installation.user_token
            row.user_scopes = _scopes(installation.user_scopes)
            row.user_refresh_token = installation.user_refresh_token
            row.user_token_expires_at = _aware(installation.user_token_expires_at)
            row.incoming_webhook_url = installation.incoming_webhook_url
            row.incoming_webhook_channel = installation.incoming_webhook_channel
            row.incoming_webhook_channel_id = installation.incoming_webhook_channel_id
            row.incoming_webhook_configuration_url = installation.incoming_webhook_configuration_url
            row.is_enterprise_install = bool(installation.is_enterprise_install)
            row.token_type = installation.token_type
            row.installed_at = _aware(installation.installed_at) or datetime.now(UTC)
            await uow.commit()
        self._changed(key)

    async def async_save_bot(self, bot: Bot) -> None:
        key = installation_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        async with self.db.uow() as uow:
            row = await self._find_row(uow.session, key)
            if row is None:
                await uow.rollback()
                await self.async_save(
                    Installation(
                        app_id=bot.app_id,
                        enterprise_id=bot.enterprise_id,
                        enterprise_name=bot.enterprise_name,
                        team_id=bot.team_id,
                        team_name=bot.team_name,
                        bot_token=bot.bot_token,
                        bot_id=bot.bot_id,
                        bot_user_id=bot.bot_user_id,
                        bot_scopes=bot.bot_scopes,
                        bot_refresh_token=bot.bot_refresh_token,
                        bot_token_expires_at=bot.bot_token_expires_at,
                        user_id="",
                        is_enterprise_install=bot.is_enterprise_install,
                        installed_at=bot.installed_at,
                    )
                )
                return
            row.bot_token = bot.bot_token
            row.bot_id = bot.bot_id
            row.bot_user_id = bot.bot_user_id
            row.bot_scopes = _scopes(bot.bot_scopes)
            row.bot_refresh_token = bot.bot_refresh_token
            row.bot_token_expires_at = _aware(bot.bot_token_expires_at)
            await uow.commit()
        self._changed(key)

    async def bot_token(self, workspace_id: str) -> str | None:
        """The bot token for a workspace (the notifier's token source): its own install,
        else an org-wide install of its Enterprise Grid organisation."""
        async with self.db.uow() as uow:
            rows = await uow.session.scalars(
                select(SlackInstallation)
                .where(
                    SlackInstallation.client_id == self.client_id,
                    (SlackInstallation.slack_team_id == workspace_id)
                    | (
                        (SlackInstallation.enterprise_id == workspace_id)
                        & (SlackInstallation.slack_team_id == "")
                    ),
                    SlackInstallation.bot_token.is_not(None),
                )
                .order_by(SlackInstallation.installed_at.desc())
            )
            row = rows.first()
            return row.bot_token if row is not None else None

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = installation_key(enterprise_id, team_id, is_enterprise_install)
        async with self.db.uow() as uow:
            row = await self._find_row(uow.session, key)
            if row is None or not row.bot_token:
                return None
            return Bot(
                app_id=row.app_id or None,
                enterprise_id=row.enterprise_id or None,
                enterprise_name=row.enterprise_name,
                team_id=row.slack_team_id or None,
                team_name=row.team_name,
                bot_token=row.bot_token,
                bot_id=row.bot_id or "",
                bot_user_id=row.bot_user_id or "",
                bot_scopes=row.bot_scopes or "",
                bot_refresh_token=row.bot_refresh_token,
                bot_token_expires_at=row.bot_token_expires_at,
                is_enterprise_install=row.is_enterprise_install,
                installed_at=row.installed_at,
            )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = installation_key(enterprise_id, team_id, is_enterprise_install)
        async with self.db.uow() as uow:
            row = await self._find_row(uow.session, key)
            if row is None:
                return None
            if user_id is not None and row.installer_user_id != user_id:
                return None  # only the installer's installation is kept
            return Installation(
                app_id=row.app_id or None,
                enterprise_id=row.enterprise_id or None,
                enterprise_name=row.enterprise_name,
                enterprise_url=row.enterprise_url,
                team_id=row.slack_team_id or None,
                team_name=row.team_name,
                bot_token=row.bot_token,
                bot_id=row.bot_id,
                bot_user_id=row.bot_user_id,
                bot_scopes=row.bot_scopes or "",
                bot_refresh_token=row.bot_refresh_token,
                bot_token_expires_at=row.bot_token_expires_at,
                user_id=row.installer_user_id,
                user_token=row.user_token,
                user_scopes=row.user_scopes or "",
                user_refresh_token=row.user_refresh_token,
                user_token_expires_at=row.user_token_expires_at,
                incoming_webhook_url=row.incoming_webhook_url,
                incoming_webhook_channel=row.incoming_webhook_channel,
                incoming_webhook_channel_id=row.incoming_webhook_channel_id,
                incoming_webhook_configuration_url=row.incoming_webhook_configuration_url,
                is_enterprise_install=row.is_enterprise_install,
                token_type=row.token_type,
                installed_at=row.installed_at,
            )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        key = installation_key(enterprise_id, team_id, None)
        async with self.db.uow() as uow:
            row = await self._find_row(uow.session, key)
            if row is not None:
                row.bot_token = row.bot_refresh_token = None
                row.bot_token_expires_at = None
                await uow.commit()
        self._changed(key)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        key = installation_key(enterprise_id, team_id, None)
        async with self.db.uow() as uow:
            row = await self._find_row(uow.session, key)
            if row is not None and (user_id is None or row.installer_user_id == user_id):
                row.user_token = row.user_refresh_token = None
                row.user_token_expires_at = None
                await uow.commit()
        self._changed(key)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        key = installation_key(enterprise_id, team_id, None)
        async with self.db.uow() as uow:
            await uow.session.execute(
                delete(SlackInstallation).where(
                    SlackInstallation.client_id == self.client_id,
                    SlackInstallation.enterprise_id == key[0],
                    SlackInstallation.slack_team_id == key[1],
                )
            )
            await uow.commit()
        self._changed(key)


class StateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values in ``slack_oauth_states`` (any instance may get the
    redirect back from Slack)."""

    def __init__(self, db: Database, *, clock: Clock, expiration_seconds: int = 600) -> None:
        self.db = db
        self.clock = clock
        self.expiration = timedelta(seconds=expiration_seconds)
        self._logger = log

    @property
    def logger(self) -> Logger:
        return self._logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.db.uow() as uow:
            # expired states are of no use to anyone; clear them as new ones are issued
            await uow.session.execute(
                delete(SlackOAuthState).where(SlackOAuthState.expire_at < now)
            )
            uow.session.add(SlackOAuthState(state=state, expire_at=now + self.expiration))
            await uow.commit()
        return state

    async def async_consume(self, state: str) -> bool:
        """``True`` once for a state that was issued and has not expired; never again."""
        if not state:
            return False
        async with self.db.uow() as uow:
            result = await uow.session.execute(
                delete(SlackOAuthState).where(
                    SlackOAuthState.state == state[:64],
                    SlackOAuthState.expire_at > self.clock.now(),
                )
            )
            await uow.commit()
        return bool(getattr(result, "rowcount", 0))
