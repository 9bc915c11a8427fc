"""The Bolt ``AsyncApp`` for Crossfade's settings: one workspace (``SLACK_BOT_TOKEN``) or
OAuth installs into many (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``), with the scopes the
manifest lists.

The app runs with ``process_before_response=True``: Bolt then answers as soon as the
listener returns (instead of polling every 10 ms for ``ack()``), and the background tasks
are the adapter's, tracked, and drained on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.authorize import StoredAuthorize
from adapters.slack.oauth import InstallationStore, StateStore
from bot.kernel.clock import Clock
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database

__all__ = [
    "BOT_SCOPES",
    "SingleToken",
    "SlackConfigError",
    "authorization_url",
    "build_bolt_app",
    "multi_workspace",
]

# Every scope the app asks for (the manifest lists the same ones).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "im:write",
    "im:history",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
    "dnd:read",  # a person's Do Not Disturb hours, read once to suggest quiet hours
)

OnInstalled = Callable[[AsyncSuccessArgs], Awaitable[BoltResponse]]


class SlackConfigError(ValueError):
    """The Slack settings cannot work (printed to the operator without a traceback)."""


def authorization_url(api_url: str) -> str:
    """Slack's OAuth page on the same host as the Web API (GovSlack: slack-gov.com)."""
    base = api_url.rstrip("/")
    base = base.removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


def multi_workspace(settings: Settings) -> bool:
    """OAuth installs into many workspaces (else one, with ``SLACK_BOT_TOKEN``)."""
    return bool(settings.slack_client_id and settings.slack_client_secret)


@dataclass
class SingleToken:
    """The token source of a one-workspace app: the same bot token everywhere."""

    token: str

    async def bot_token(self, workspace_id: str) -> str | None:
        return self.token


def build_bolt_app(
    settings: Settings,
    *,
    client: AsyncWebClient,
    db: Database,
    clock: Clock,
    store: InstallationStore | None,
    authorize: StoredAuthorize | None,
    on_installed: OnInstalled,
) -> AsyncApp:
    """The Bolt app: with ``store`` (and ``authorize``) the OAuth flow installs into many
    workspaces; without, ``client`` carries the one workspace's token."""
    common: dict[str, Any] = {
        "name": "crossfade",
        "logger": logging.getLogger("slack_bolt.crossfade"),
        "process_before_response": True,
        "signing_secret": settings.slack_signing_secret or None,
        # Socket Mode requests are not signed; HTTP mode refuses to start without one.
        "request_verification_enabled": bool(settings.slack_signing_secret),
    }
    if store is None:
        return AsyncApp(client=client, **common)
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        installation_store=store,
        state_store=StateStore(db, clock=clock),
        authorization_url=authorization_url(settings.slack_api_url),
        callback_options=AsyncCallbackOptions(success=on_installed, failure=_default_failure),
    )
    return AsyncApp(
        client=client,
        oauth_settings=oauth,
        installation_store=store,
        authorize=authorize,  # type: ignore[arg-type]
        **common,
    )


async def _default_failure(args: Any) -> BoltResponse:
    response: BoltResponse = await args.default.failure(args)
    return response
