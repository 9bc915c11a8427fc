"""Whether a Slack channel is private (``conversations.info``'s ``is_private``), cached per
channel: a pulse asked in a private channel is shown only there."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.messages import error_code

__all__ = ["ChannelPrivacy"]

log = logging.getLogger(__name__)


class ChannelPrivacy:
    def __init__(self, max_cached: int = 20_000) -> None:
        self.max_cached = max_cached
        self._private: dict[tuple[str, str], bool] = {}

    async def is_private(
        self, client: AsyncWebClient, workspace: str, channel: str, name: str = ""
    ) -> bool:
        # Slash commands name a private channel "privategroup"; legacy ones start with G.
        if name == "privategroup" or channel.startswith("G"):
            return True
        key = (workspace, channel)
        if key in self._private:
            return self._private[key]
        try:
            response = await client.conversations_info(channel=channel)
            private = bool((response.get("channel") or {}).get("is_private"))
        except SlackApiError as error:
            # Without channels:read/groups:read (an install from before they were asked
            # for) the channel counts as public, as every channel did before.
            log.info("conversations.info failed: %s", error_code(error))
            return False
        if len(self._private) >= self.max_cached:
            self._private.clear()
        self._private[key] = private
        return private
