"""``connect`` / ``disconnect``: let Crossfade switch Slack's notifications off for you.

Only Slack has the APIs (``dnd.setSnooze``, ``users.profile.set``); Discord and the console
say in one plain line what they cannot do and suggest the client's Do Not Disturb. On Slack
it needs the app's OAuth client id and secret: ``connect`` answers with Slack's authorize
link for the user scopes ``dnd:write users.profile:write`` and a signed, expiring ``state``
naming the person; the adapter's callback checks it and stores the user token encrypted
(``slack_user_tokens``, never the installation row).

Once connected, logging off schedules a ``connect.snooze`` job: its :class:`Presence` effect
goes through the outbox, so the workspace's lane paces the calls. It snoozes notifications
until the next working window start (weekends, holidays, away days, DST), at most
:data:`bot.domain.snooze.MAX_SNOOZE` at a time — a longer break is renewed each morning —
and sets the status "🌙 Logged off · back Mon 09:00", expiring then. An early ``start``
clears both.

Other features reach this one only through the kernel's slots: after a log-off
(``LOGGED_OFF``), "Working late today" (``WORKING_LATE``), the log-off reminder's add-ons
(``REMINDER_ADDONS``) and before ``forget`` (``BEFORE_FORGET``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from bot.domain.snooze import snooze_plan
from bot.domain.window import next_window_start
from bot.features.disconnect.connect_store import ConnectTokens
from bot.kernel.arguments import OFF, Word, choice
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Presence, Reply, Update, UserRef
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.slots import (
    BEFORE_FORGET,
    LOGGED_OFF,
    REMINDER_ADDONS,
    WORKING_LATE,
    ReminderAddon,
)
from bot.kernel.storage.models.presence import SlackUserToken
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Button, Buttons, Message, Text
from bot.scheduling import Due, Once, member_rules, set_schedule
from bot.security.connect_grant import USER_SCOPES, make_state
from bot.security.secrets import encrypt_secret

__all__ = [
    "auto_log_off",
    "cannot_line",
    "flow",
    "offer_button",
    "on_early_start",
    "on_log_off",
    "revoke_before_forget",
]

flow = Flow("connect")

SNOOZE = "connect.snooze"
CLEAR = "connect.clear"
REVOKE = "connect.revoke"
OFFER = "connect:offer"
AUTO = "connect:auto"
# Not a DM (no Skip button, no personal rules) and due even after an outage: a renewal that
# never ran would end the snooze in the middle of a long break.
CALL = {"ignore_rules": True, "no_skip": True, "run_late": True}

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


SWITCH = choice(
    Word("on"),
    OFF,
    shown="on|off",
    noun="on or off",
    refuse="`connect auto on` or `connect auto off`.",
)


@flow.command(
    "connect",
    summary="Slack: let Crossfade pause your notifications and set your status when you log off",
    syntax=(
        Usage(help="Slack: pause your notifications and set a status when you log off"),
        Usage(
            Word("auto"),
            SWITCH,
            help="Slack: let your log-off time itself pause your notifications",
        ),
    ),
    section="Reminders",
)
async def connect(ctx: Context, cmd: Call) -> list[Effect]:
    if ctx.actor.platform != "slack":
        return [reply(cannot_line(ctx.actor.platform))]
    if cmd.said("auto"):
        return await _set_auto(ctx, cmd.value(SWITCH))
    settings = ctx.settings
    if not (settings.slack_client_id and settings.slack_client_secret):
        return [
            reply(
                "Switching Slack off for you needs the app's OAuth client id and secret "
                "(SLACK_CLIENT_ID, SLACK_CLIENT_SECRET), which this installation doesn't "
                "have — ask your admin; meanwhile Slack's *Pause notifications* does it by hand."
            )
        ]
    row = await _token(ctx)
    if row is not None and not row.broken:
        return [Reply(_connected_message(row.auto_snooze))]
    state = make_state(ctx.actor.workspace_id, ctx.actor.user_id, ctx.now)
    url = authorize_url(settings.slack_client_id, state, settings.slack_api_url)
    text = (
        f"Authorise Crossfade at {url} to pause your Slack notifications and set a "
        "“🌙 Logged off” status when you log off, until your next working day starts. It "
        "asks for two permissions only: Do Not Disturb (`dnd:write`) and your status "
        "(`users.profile:write`); `disconnect` revokes them. The link works for 10 minutes."
    )
    return [reply(text)]


@flow.command(
    "disconnect",
    summary="Slack: revoke the permission `connect` gave and delete its token",
    syntax=(Usage(help="Slack: take that permission back and delete its token"),),
    section="Reminders",
)
async def disconnect(ctx: Context, cmd: Call) -> list[Effect]:
    if ctx.actor.platform != "slack":
        return [reply(cannot_line(ctx.actor.platform))]
    row = await _token(ctx)
    if row is None:
        return [reply("You aren't connected: Crossfade holds no Slack token of yours.")]
    # Revoked through the workspace's lane (auth.revoke), then deleted by the adapter; the
    # row is marked now so nothing else uses it meanwhile.
    row.broken = "disconnected"
    await set_schedule(ctx, kind=REVOKE, rule=Once(ctx.now), data=CALL)
    return [
        reply(
            "Disconnected: Crossfade revokes its Slack permission now and deletes your token; "
            "your notifications and status are yours again."
        )
    ]


def _connected_message(auto: bool) -> Message:
    if auto:
        text = (
            "You're connected, automatic: your log-off time itself pauses your Slack, no "
            "button needed. `connect auto off` waits for “I'm logging off” again; "
            "`disconnect` removes the connection."
        )
        button = Button("Only when I press “I'm logging off”", AUTO, "off")
    else:
        text = (
            "You're connected: “I'm logging off” pauses your Slack. `connect auto on` makes "
            "your log-off time itself do it; `disconnect` removes the connection."
        )
        button = Button("Pause automatically at my log-off time", AUTO, "on", "primary")
    return Message(text, (Text(text), Buttons((button,))))


async def _set_auto(ctx: Context, value: str) -> list[Effect]:
    if value not in ("on", "off"):
        raise UserError("`connect auto on` or `connect auto off`.")
    row = await _token(ctx)
    if row is None or row.broken:
        raise UserError(
            "Connect first: `connect` authorises Crossfade, then `connect auto on` pauses "
            "your Slack at your log-off time."
        )
    row.auto_snooze = value == "on"
    message = _connected_message(row.auto_snooze)
    if ctx.message_ref is not None:
        return [Update(ctx.message_ref, message)]
    return [Reply(message)]


@flow.action(AUTO)
async def auto_pressed(ctx: Context, value: str) -> list[Effect]:
    return await _set_auto(ctx, value)


async def _token(ctx: Context) -> SlackUserToken | None:
    return await ctx.store(ConnectTokens).of(ctx.member)


async def offer_button(ctx: Context) -> Button | None:
    """ "Pause Slack too" on the log-off reminder: Slack, connect configured, not connected."""
    settings = ctx.settings
    if ctx.actor.platform != "slack" or not (
        settings.slack_client_id and settings.slack_client_secret
    ):
        return None
    row = await _token(ctx)
    return None if row is not None and not row.broken else Button("Pause Slack too", OFFER)


@flow.action(OFFER)
async def offer_pressed(ctx: Context, value: str) -> list[Effect]:
    return await connect(ctx, Call.alone("connect"))


# --- the authorize link (its state is signed, expiring and names the person) -------------


def authorize_url(client_id: str, state: str, api_url: str = "https://slack.com/api/") -> str:
    """Slack's OAuth page on the Web API's host (GovSlack, a local fake), asking for the
    user scopes only (no bot scope: the workspace install already has those)."""
    base = api_url.rstrip("/").removesuffix("/api")
    query = urlencode({"client_id": client_id, "user_scope": ",".join(USER_SCOPES), "state": state})
    return f"{base}/oauth/v2/authorize?{query}"


# --- logging off and starting early ------------------------------------------------------


def _status(until: datetime) -> str:
    return f"🌙 Logged off · back {until:%a %H:%M}"


async def _snooze(ctx: Context, row: SlackUserToken) -> datetime | None:
    until = next_window_start(ctx.now, ctx.work_window, member_rules(ctx.member, ctx.team))
    if until is None:
        return None
    data = {"until": until.isoformat(), **CALL}
    await set_schedule(ctx, kind=SNOOZE, rule=Once(ctx.now), data=data)
    row.snoozed_until = until
    return until.astimezone(ctx.zone)


async def on_log_off(ctx: Context) -> list[Effect]:
    """Snooze the connected person's Slack until their next working window starts."""
    row = await _token(ctx)
    if row is None:
        return []
    if row.broken:
        return [reply(_broken_text(row.broken))]
    if row.snoozed_until is not None and row.snoozed_until > ctx.now:
        return []  # the log-off time already paused it (automatic)
    until = await _snooze(ctx, row)
    if until is None:
        return []
    return [reply(f"Slack notifications paused until {until:%a %H:%M}; status: {_status(until)}.")]


async def auto_log_off(ctx: Context) -> str:
    """At the log-off time of someone who chose automatic: pause Slack now, through the same
    lane as the button; the line to add to the reminder ("" when not automatic)."""
    row = await _token(ctx)
    if row is None or row.broken or not row.auto_snooze:
        return ""
    if row.snoozed_until is not None and row.snoozed_until > ctx.now:
        return ""
    until = await _snooze(ctx, row)
    if until is None:
        return ""
    return (
        f"Your Slack is paused until {until:%a %H:%M} (automatic; “Working late today” "
        "un-pauses it)."
    )


async def on_early_start(
    ctx: Context,
    text: str = "Your Slack snooze and “Logged off” status are cleared — good morning.",
) -> list[Effect]:
    """An early start clears the snooze and the status Crossfade set."""
    row = await _token(ctx)
    if row is None or row.broken or row.snoozed_until is None or row.snoozed_until <= ctx.now:
        return []
    row.snoozed_until = None
    await set_schedule(ctx, kind=SNOOZE, rule=Once(ctx.now), data={"ignore_rules": True})
    await set_schedule(ctx, kind=CLEAR, rule=Once(ctx.now), data=CALL)
    return [reply(text)]


@flow.after
async def wake_on_first_interaction(ctx: Context, effects: list[Effect]) -> list[Effect]:
    """The first interaction on the morning the snooze ends, before the window opens, is an
    early start too: it clears the snooze and the status (a weekend message does not)."""
    settings = ctx.settings
    if ctx.actor.platform != "slack" or not settings.slack_client_id:
        return effects
    row = await _token(ctx)
    if row is None or row.broken or row.snoozed_until is None:
        return effects
    until = row.snoozed_until
    if not (ctx.now < until and ctx.local_today == until.astimezone(ctx.zone).date()):
        return effects
    return [*effects, *await on_early_start(ctx)]


def _broken_text(reason: str) -> str:
    if reason == "disconnected":
        return "Your Slack connection is being removed."
    return (
        f"Your Slack connection stopped working ({reason}), so I couldn't pause your "
        "notifications. `connect` sets it up again; until then nothing is retried."
    )


@flow.job(SNOOZE)
async def snooze_job(ctx: Context, due: Due) -> list[Effect]:
    until_text = due.data.get("until")
    if not until_text:
        return []  # cleared by an early start
    until = datetime.fromisoformat(until_text)
    _, renew = snooze_plan(due.due_at, until)
    if renew < until:
        # A snooze is capped: renew it each morning of a long break (at the usual start of
        # day, which comes before the cap runs out).
        start = ctx.work_window.start
        morning = datetime.combine(due.local_date + timedelta(days=1), start, ctx.zone)
        await set_schedule(ctx, kind=SNOOZE, rule=Once(min(renew, morning)), data=dict(due.data))
    status = _status(until.astimezone(ctx.zone))
    return [Presence(ctx.user_ref, "snooze", until.isoformat(), status)]


@flow.job(CLEAR)
async def clear_job(ctx: Context, due: Due) -> list[Effect]:
    return [Presence(ctx.user_ref, "clear")]


@flow.job(REVOKE)
async def revoke_job(ctx: Context, due: Due) -> list[Effect]:
    if due.data.get("sealed"):  # after `forget`: a team-level job, the member is gone
        user = UserRef("slack", ctx.team.workspace_id, str(due.data.get("user", "")))
        return [Presence(user, "revoke", sealed=str(due.data["sealed"]))]
    return [Presence(ctx.user_ref, "revoke")]


async def revoke_before_forget(ctx: Context) -> None:
    """`forget` deletes the member and, with it, their token: revoke it at Slack first (a
    team-level job carrying the token sealed with the server key, through the lane)."""
    row = await _token(ctx)
    if row is None:
        return
    data = {"sealed": encrypt_secret(row.token), "user": row.slack_user_id, **CALL}
    ref = f"forget:{row.id}"
    await set_schedule(ctx, kind=REVOKE, rule=Once(ctx.now), ref=ref, data=data, team_level=True)


# --- what other features reach through the kernel's slots ---------------------------------


@flow.provides(LOGGED_OFF, order=20)  # after the late-choice tap
async def _pause_after_log_off(ctx: Context, day: date, late: bool) -> list[Effect]:
    return await on_log_off(ctx)


@flow.provides(WORKING_LATE, order=10)  # before the late-choice tap
async def _unpause_working_late(ctx: Context, day: date) -> list[Effect]:
    # an automatic pause at the log-off time is lifted: they are still at work
    return await on_early_start(ctx, "Your Slack is un-paused for now.")


@flow.provides(REMINDER_ADDONS)
async def _reminder_addon(ctx: Context, at_target: bool) -> ReminderAddon:
    """At the log-off time itself: the automatic pause's line; always: "Pause Slack too"."""
    line = await auto_log_off(ctx) if at_target else ""
    return ReminderAddon(line, await offer_button(ctx))


flow.provide(BEFORE_FORGET, revoke_before_forget)


def require_slack(ctx: Context) -> None:
    if ctx.actor.platform != "slack":
        raise UserError(cannot_line(ctx.actor.platform))
