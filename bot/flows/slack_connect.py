"""``connect`` / ``disconnect``: let Crossfade switch Slack's notifications off for you.

Only Slack has the APIs (``dnd.setSnooze``, ``users.profile.set``); Discord and the console
say in one plain line what they cannot do and suggest the client's Do Not Disturb. On Slack
it needs the app's OAuth client id and secret, since the person must authorise a user token.

Not built yet: the OAuth user flow that stores a token. :func:`snooze_plan` is the pure
maths the snooze will use (minutes until the next working window start, capped, renewed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.commands import ParsedCommand
from bot.effects import Effect
from bot.router import Context, Flow, reply
from bot.storage.models.disconnect import SlackUserToken

__all__ = ["cannot_line", "flow", "snooze_plan"]

flow = Flow("connect")

# Slack caps one snooze; longer breaks are renewed each morning (docs/disconnect.md).
MAX_SNOOZE = timedelta(hours=24)

CANNOT = {
    "discord": (
        "Discord has no API for a member's status or notifications, so Crossfade can't switch "
        "them off for you: set yourself to Do Not Disturb in Discord when you log off."
    ),
    "console": (
        "The console has no status or notifications to switch off; Crossfade itself sends "
        "nothing outside your working window."
    ),
}


def cannot_line(platform: str) -> str:
    return CANNOT.get(
        platform,
        "This platform has no API for your status or notifications: use your client's Do "
        "Not Disturb when you log off.",
    )


@flow.command(
    "connect",
    summary="Slack: let Crossfade pause your notifications and set your status when you log off",
    usage=("connect",),
    section="Reminders",
)
async def connect(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    if ctx.actor.platform != "slack":
        return [reply(cannot_line(ctx.actor.platform))]
    settings = ctx.bot.settings
    if not (settings.slack_client_id and settings.slack_client_secret):
        return [
            reply(
                "Switching Slack off for you needs the app's OAuth client id and secret "
                "(SLACK_CLIENT_ID, SLACK_CLIENT_SECRET), which this installation doesn't "
                "have — ask your admin; meanwhile Slack's *Pause notifications* does it by hand."
            )
        ]
    return [
        reply(
            "Connecting your Slack account isn't available in this version yet; Slack's "
            "*Pause notifications* does it by hand meanwhile."
        )
    ]


@flow.command(
    "disconnect",
    summary="Slack: revoke the permission `connect` gave and delete its token",
    usage=("disconnect",),
    section="Reminders",
)
async def disconnect(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    if ctx.actor.platform != "slack":
        return [reply(cannot_line(ctx.actor.platform))]
    row = await _token(ctx)
    if row is None:
        return [reply("You aren't connected: Crossfade holds no Slack token of yours.")]
    await ctx.session.delete(row)
    return [reply("Disconnected: your Slack token is deleted.")]


async def _token(ctx: Context) -> SlackUserToken | None:
    row: SlackUserToken | None = await ctx.session.scalar(
        select(SlackUserToken).where(SlackUserToken.member_id == ctx.member.id)
    )
    return row


def snooze_plan(now: datetime, until: datetime) -> tuple[int, datetime]:
    """Minutes for ``dnd.setSnooze`` from ``now`` towards ``until`` (the next window start),
    capped at :data:`MAX_SNOOZE`; and when to renew it (``until`` itself when not capped)."""
    total = max(1, round((until - now).total_seconds() / 60))
    cap = int(MAX_SNOOZE.total_seconds() // 60)
    if total <= cap:
        return total, until
    return cap, now + MAX_SNOOZE
