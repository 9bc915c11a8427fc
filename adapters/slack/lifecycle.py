"""Workspaces coming and going: an OAuth install (the installer is welcomed), the app
uninstalled or its tokens revoked (the tokens are forgotten and, when the bot's own token is
gone, the team goes inactive), and a one-workspace bot whose token works again.

The team's side of it is the core's use case (:mod:`bot.kernel.teams`); what is Slack's here
is the installation store, the cached authorizations and what Slack told us about people.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.oauth.async_callback_options import AsyncSuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.authorize import StoredAuthorize
from adapters.slack.oauth import InstallationStore
from adapters.slack.people import People
from bot.kernel.events import TeamKey
from bot.kernel.teams import TeamLifecycle

__all__ = ["Workspaces"]

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], None]
Welcome = Callable[[str, str, str], Coroutine[Any, Any, None]]


class Workspaces:
    """The lifecycle of the workspaces this app serves."""

    def __init__(
        self,
        *,
        teams: TeamLifecycle,
        people: People,
        spawn: Spawn,
        welcome: Welcome,
    ) -> None:
        self.teams = teams
        self.people = people
        self.spawn = spawn
        self.welcome = welcome
        self.store: InstallationStore | None = None
        self.authorize: StoredAuthorize | None = None

    def installation_changed(self, enterprise_id: str, team_id: str) -> None:
        """A workspace's tokens changed: its cached authorization is stale."""
        if self.authorize is not None:
            self.authorize.forget(enterprise_id, team_id)

    async def installed(self, args: AsyncSuccessArgs) -> BoltResponse:
        """After an OAuth install: welcome the installer by DM, show Slack's success page."""
        installation = args.installation
        if installation.bot_token and installation.user_id and installation.team_id:
            self.spawn(
                self.welcome(installation.team_id, installation.user_id, installation.bot_token)
            )
        response: BoltResponse = await args.default.success(args)
        return response

    async def removed(
        self, *, workspace: str, enterprise: str | None, bot: bool, users: list[str]
    ) -> None:
        """``app_uninstalled`` / ``tokens_revoked``: forget the tokens; when the bot's token
        is gone, deactivate the team so the engine stops its schedules and deliveries."""
        store = self.store
        if store is not None:
            if bot and users is not None and not users:
                await store.async_delete_all(enterprise_id=enterprise, team_id=workspace)
            else:
                for user in users:
                    await store.async_delete_installation(
                        enterprise_id=enterprise, team_id=workspace, user_id=user
                    )
                if bot:
                    await store.async_delete_bot(enterprise_id=enterprise, team_id=workspace)
        if not bot:
            return
        team = TeamKey("slack", workspace)
        await self.teams.left(team)
        self.people.forget(team)
        log.warning("Slack workspace %s removed the app; its team is now inactive", workspace)

    async def token_works(self, client: AsyncWebClient) -> bool:
        """A one-workspace bot starting with a working token is installed again: undo an
        earlier ``app_uninstalled``. Returns whether auth.test accepted the token."""
        try:
            response = await client.auth_test()
        except SlackApiError as error:
            log.error("SLACK_BOT_TOKEN does not work: %s", error.response.get("error"))
            return False
        except Exception as error:  # Slack unreachable at start: the app still serves
            log.warning("could not check SLACK_BOT_TOKEN with auth.test: %s", error)
            return False
        workspace = str(response.get("team_id") or "")
        if workspace:
            await self.teams.back(TeamKey("slack", workspace))
        return True
