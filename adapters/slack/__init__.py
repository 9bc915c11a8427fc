"""The Slack adapter: Bolt ``AsyncApp`` in Socket Mode or HTTP mode, Block Kit and modals,
App Home, OAuth installs into many workspaces, and the scheduling engine's notifier.

``crossfade run`` calls :func:`serve`; ``crossfade slack manifest`` calls
``adapters.slack.manifest.render_manifest``.

Importing this package loads nothing heavy (the manifest command needs no database stack).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter
    from bot.kernel.services import Services

__all__ = ["open_slack", "serve"]

log = logging.getLogger(__name__)


async def serve(services: Services) -> None:
    """Run the Slack app until cancelled: Socket Mode when ``SLACK_APP_TOKEN`` is set, else
    an HTTP server on ``PORT``. Registers the Slack notifier with the scheduling engine.

    Raises ``SlackConfigError`` (a ``ValueError``) when the settings cannot work."""
    from adapters.slack.app import SlackAdapter, SlackConfigError
    from adapters.slack.server import run_http, run_socket_mode

    settings = services.settings
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise SlackConfigError(
            "Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials), "
            "or set SLACK_APP_TOKEN to use Socket Mode."
        )
    adapter = await SlackAdapter.open(services)
    try:
        services.engine.add_notifier(adapter.notifier())
        if not adapter.multi_workspace:
            await adapter.token_works()
        if settings.slack_app_token:
            await run_socket_mode(adapter, app_token=settings.slack_app_token, port=settings.port)
        else:
            await run_http(adapter, port=settings.port)
    finally:
        await adapter.close()


async def open_slack(services: Services) -> tuple[SlackAdapter, bool]:
    """The adapter, its notifier registered, and whether Slack accepted the token (always
    True with OAuth installs): what ``crossfade run`` needs before it serves on ``PORT``."""
    from adapters.slack.app import SlackAdapter, SlackConfigError

    settings = services.settings
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise SlackConfigError("Slack HTTP mode needs SLACK_SIGNING_SECRET, or set SLACK_APP_TOKEN")
    adapter = await SlackAdapter.open(services)
    services.engine.add_notifier(adapter.notifier())
    if adapter.multi_workspace:
        return adapter, True
    return adapter, await adapter.token_works()
