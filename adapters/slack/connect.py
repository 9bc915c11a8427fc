"""Slack ``connect``: the OAuth v2 user-token callback, the per-member token store, and the
``Presence`` calls (``dnd.setSnooze``, ``dnd.endSnooze``, ``users.profile.set``,
``auth.revoke``) made with the person's own token.

The callback shares ``/slack/oauth_redirect`` with workspace installs (one redirect URL to
configure): a ``state`` starting with ``connect.`` is ours, signed and expiring (see
``bot.security.connect_grant``), and names the person who asked;
the token is kept only if Slack says it belongs to that same person in that workspace,
with both scopes.

A revoked token or a missing scope marks the row broken: the call is not retried, and the
next log-off tells the person to ``connect`` again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.messages import error_code
from adapters.slack.outcomes import classify, is_rate_limited
from bot.delivery.notifier import DeliveryResult
from bot.domain.snooze import snooze_plan
from bot.kernel.clock import Clock
from bot.kernel.effects import Presence
from bot.kernel.slots import DndWording
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.presence import SlackUserToken
from bot.kernel.ui import Message, Text
from bot.security.connect_grant import USER_SCOPES, check_state
from bot.security.secrets import SecretUnreadable, decrypt_secret

__all__ = ["BROKEN", "UserTokens", "connect_callback", "deliver_presence"]

log = logging.getLogger(__name__)

# The token is gone or cannot do this: retrying would only repeat the error.
BROKEN = frozenset(
    {
        "token_revoked",
        "token_expired",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "user_not_found",
    }
)


class UserTokens:
    """``slack_user_tokens`` for one database: one row per member, the token encrypted."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _row(self, session: Any, workspace: str, user: str) -> SlackUserToken | None:
        row: SlackUserToken | None = await session.scalar(
            select(SlackUserToken)
            .join(Team, Team.id == SlackUserToken.team_id)
            .where(
                Team.platform == "slack",
                Team.workspace_id == workspace,
                SlackUserToken.slack_user_id == user,
            )
        )
        return row

    async def save(self, workspace: str, user: str, token: str, scopes: str) -> bool:
        """Store (or replace) the person's token; ``False`` if they are not a member here."""
        async with self.db.uow() as uow:
            member = await uow.session.scalar(
                select(Member)
                .join(Team, Team.id == Member.team_id)
                .where(
                    Team.platform == "slack",
                    Team.workspace_id == workspace,
                    Member.platform_user_id == user,
                )
            )
            if member is None:
                return False
            row = await self._row(uow.session, workspace, user)
            if row is None:
                row = SlackUserToken(
                    team_id=member.team_id, member_id=member.id, slack_user_id=user, token=""
                )
                uow.session.add(row)
            row.token, row.scopes, row.broken = token, scopes, None
            await uow.commit()
        return True

    async def token(self, workspace: str, user: str) -> str | None:
        async with self.db.uow() as uow:
            row = await self._row(uow.session, workspace, user)
            return None if row is None or row.broken not in (None, "disconnected") else row.token

    async def mark_broken(self, workspace: str, user: str, reason: str) -> None:
        async with self.db.uow() as uow:
            row = await self._row(uow.session, workspace, user)
            if row is not None:
                row.broken = reason[:64]
                await uow.commit()

    async def delete(self, workspace: str, user: str) -> None:
        async with self.db.uow() as uow:
            row = await self._row(uow.session, workspace, user)
            if row is not None:
                await uow.session.delete(row)
                await uow.commit()


def _page(text: str, status: int = 200) -> web.Response:
    body = f"<!doctype html><meta charset=utf-8><title>Crossfade</title><p>{text}</p>"
    return web.Response(status=status, text=body, content_type="text/html")


async def connect_callback(
    request: web.Request,
    *,
    tokens: UserTokens,
    clock: Clock,
    client_id: str,
    client_secret: str,
    api_url: str,
    session: aiohttp.ClientSession | None = None,
) -> web.Response:
    """Slack's redirect after the person authorised (or refused) Crossfade."""
    try:
        workspace, user = check_state(request.query.get("state", ""), clock.now())
    except ValueError:
        return _page("This link has expired or is not valid. Run /crossfade connect again.", 400)
    if request.query.get("error") or not request.query.get("code"):
        return _page("Nothing was connected. You can close this tab.")
    client = AsyncWebClient(base_url=api_url, session=session, retry_handlers=[])
    try:
        answer = await client.oauth_v2_access(
            client_id=client_id, client_secret=client_secret, code=request.query["code"]
        )
    except SlackApiError as error:
        log.warning("connect: oauth.v2.access failed: %s", error_code(error))
        return _page("Slack refused the authorisation. Run /crossfade connect again.", 400)
    authed = answer.get("authed_user") or {}
    team = (answer.get("team") or {}).get("id")
    granted = set(str(authed.get("scope", "")).split(","))
    if authed.get("id") != user or team != workspace or not authed.get("access_token"):
        return _page("That authorisation was for another account; nothing was stored.", 400)
    if not set(USER_SCOPES) <= granted:
        return _page("Both permissions are needed (Do Not Disturb and status).", 400)
    saved = await tokens.save(workspace, user, str(authed["access_token"]), ",".join(granted))
    if not saved:
        return _page("Use /crossfade in this workspace first, then connect.", 400)
    return _page("Connected: Crossfade will pause your Slack when you log off. Close this tab.")


def _unseal(sealed: str) -> str | None:
    try:
        return decrypt_secret(sealed)
    except SecretUnreadable:
        log.warning("connect: a sealed token for auth.revoke could not be read")
        return None


async def dnd_message(
    client: AsyncWebClient, effect: Presence, wording: DndWording
) -> Message | DeliveryResult:
    """Read the person's Slack Do Not Disturb window once (bot scope ``dnd:read``) and build
    the proposal to match it in the core's ``wording``; any error but a rate limit becomes
    one plain line, no retry."""
    try:
        info = await client.dnd_info(user=effect.user.user_id)
    except SlackApiError as error:
        if is_rate_limited(error):
            return classify(error)
        code = error_code(error)
        log.info("connect: dnd.info refused: %s", code)
        return _line(wording.error_line(code))
    start, end = info.get("next_dnd_start_ts"), info.get("next_dnd_end_ts")
    if not info.get("dnd_enabled") or not isinstance(start, int) or not isinstance(end, int):
        return _line(
            "Your Slack has no Do Not Disturb schedule to match; `quiet 22:00-07:00` sets "
            "Crossfade's quiet hours."
        )
    found = wording.proposal(start, end, effect.status or "UTC", effect.until or "off")
    return found if found is not None else DeliveryResult.sent("")


def _line(text: str) -> Message:
    return Message(text, (Text(text),))


async def deliver_presence(
    effect: Presence,
    *,
    tokens: UserTokens,
    base_url: str,
    now: datetime,
    session: aiohttp.ClientSession | None = None,
) -> DeliveryResult:
    """Make one ``Presence`` call with the person's own token; never raises Slack errors."""
    workspace, user = effect.user.workspace_id, effect.user.user_id
    token = await tokens.token(workspace, user) if not effect.sealed else _unseal(effect.sealed)
    if token is None:
        return DeliveryResult.permanent("not_connected")
    client = AsyncWebClient(token=token, base_url=base_url, session=session, retry_handlers=[])
    try:
        if effect.action == "snooze":
            until = datetime.fromisoformat(effect.until).astimezone(UTC)
            minutes, _ = snooze_plan(now, until)
            await client.dnd_setSnooze(num_minutes=minutes)
            emoji, _, text = effect.status.partition(" ")
            profile = {
                "status_text": text,
                "status_emoji": ":crescent_moon:" if emoji == "🌙" else "",
                "status_expiration": int(until.timestamp()),
            }
            await client.users_profile_set(profile=profile)
        elif effect.action == "clear":
            await client.dnd_endSnooze()
            await client.users_profile_set(
                profile={"status_text": "", "status_emoji": "", "status_expiration": 0}
            )
        elif effect.action == "revoke":
            try:
                await client.auth_revoke()
            finally:
                if not effect.sealed:  # after `forget` the row is gone (a new one is not ours)
                    await tokens.delete(workspace, user)
        else:
            return DeliveryResult.permanent(f"unknown presence action {effect.action!r}")
    except SlackApiError as error:
        if is_rate_limited(error):
            return classify(error)
        code = error_code(error)
        if code in BROKEN:
            await tokens.mark_broken(workspace, user, code)
            return DeliveryResult.permanent(code)
        return DeliveryResult.transient(code)
    except (aiohttp.ClientError, TimeoutError) as error:
        return DeliveryResult.transient(type(error).__name__)
    return DeliveryResult.sent("")
