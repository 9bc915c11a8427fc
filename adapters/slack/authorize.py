"""Bolt's ``authorize`` from the stored installation, without calling ``auth.test`` on every
request (Bolt's default), which would put a round trip to Slack in front of every
acknowledgement."""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext

from adapters.slack.oauth import InstallationStore, installation_key

__all__ = ["StoredAuthorize"]


class StoredAuthorize(AsyncAuthorize):
    """Bolt's ``authorize`` from the stored bot token, cached for ``ttl`` seconds."""

    def __init__(
        self,
        store: InstallationStore,
        *,
        ttl: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[AuthorizeResult | None, float]] = {}

    def forget(self, enterprise_id: str, team_id: str) -> None:
        self._cache.pop((enterprise_id, team_id), None)
        if not team_id:  # an org-wide change concerns every workspace of the org
            for key in [k for k in self._cache if k[0] == enterprise_id]:
                self._cache.pop(key, None)

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        key = installation_key(enterprise_id, team_id, context.is_enterprise_install)
        now = self.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            base = cached[0]
        else:
            bot = await self.store.async_find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=context.is_enterprise_install,
            )
            base = None
            if bot is not None:
                base = AuthorizeResult(
                    enterprise_id=bot.enterprise_id,
                    team_id=team_id or bot.team_id,
                    bot_user_id=bot.bot_user_id,
                    bot_id=bot.bot_id,
                    bot_token=bot.bot_token,
                    bot_scopes=bot.bot_scopes,
                )
            # an unknown workspace is remembered only briefly: it may be installing now
            self._cache[key] = (base, now + (self.ttl if base else min(self.ttl, 5.0)))
        if base is None:
            return None
        return AuthorizeResult(
            enterprise_id=base.enterprise_id,
            team_id=team_id or base.team_id,
            bot_user_id=base.bot_user_id,
            bot_id=base.bot_id,
            bot_token=base.bot_token,
            bot_scopes=base.bot_scopes,
            user_id=user_id,
        )
