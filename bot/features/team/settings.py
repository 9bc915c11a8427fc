"""``settings``: your rules at a glance, and the team's settings (changed by admins).

The person's own rules and reminders come from the features that keep them
(:data:`~bot.kernel.slots.MY_SETTINGS`); the team's are the team row's."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.anonymity import MIN_K
from bot.domain.parsing import InputError, format_clock, parse_clock
from bot.domain.zones import resolve_zone, search_zones
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.grammar import ParsedCommand
from bot.kernel.registry import Flow
from bot.kernel.settings import Settings
from bot.kernel.slots import MY_SETTINGS
from bot.kernel.storage.models import Team
from bot.kernel.ui import Divider, Field, Fields, Message, Text

__all__ = ["MIN_K", "flow", "parse_channel"]

flow = Flow("settings")

MAX_K = 100
_CHANNEL = re.compile(r"^<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$|^#(?P<plain>[\w.-]{1,80})$")

TEAM_USAGE = (
    "settings",
    "settings timezone Area/City",
    "settings channel here|#channel",
    "settings k N",
    "settings pulses everyone|admins",
    "settings logoff HH:MM",
    "settings retention DAYS",
    "settings support https://…|off",
    "settings workday HH:MM",
    "settings strict on|off",
    'settings policy "We don\'t expect replies after 18:00"|off',
)


@flow.completion("settings")
def complete_settings(typed: str, settings: Settings) -> list[str]:
    """``timezone Eu…`` → team default zones; other keys are suggested from the usage."""
    key, space, rest = typed.lstrip().partition(" ")
    if space and key.lower() in ("timezone", "tz"):
        return [f"timezone {zone}" for zone in search_zones(rest)]
    return []


def parse_channel(text: str, ctx: Context) -> tuple[str, str]:
    """``here``, Slack's ``<#C123|name>``, Discord's ``<#123>`` or ``#name`` (console)."""
    cleaned = text.strip()
    if cleaned.lower() == "here":
        if ctx.place.kind != "channel":
            raise UserError("Run `settings channel here` inside the channel you want to use.")
        return ctx.place.id, ctx.place.name or ctx.place.id
    match = _CHANNEL.match(cleaned)
    if not match:
        raise UserError("Name the channel as #channel, or run `settings channel here` in it.")
    if match.group("plain"):
        return match.group("plain"), match.group("plain")
    return match.group("id"), match.group("name") or match.group("id")


async def _view(ctx: Context) -> Message:
    team = ctx.team
    mine = Fields(tuple([field for own in ctx.provided(MY_SETTINGS) for field in await own(ctx)]))
    channel = f"#{team.pulse_channel_name}" if team.pulse_channel_id else "the channel asked in"
    team_fields = Fields(
        (
            Field("Default time zone", team.default_timezone),
            Field("Default log-off time", team.default_logoff),
            Field("Pulse channel", channel),
            Field("Minimum answers before results show", str(team.k_threshold)),
            Field("Who may create pulses", team.pulse_creators),
            Field("Check-in retention", f"{team.retention_days} days"),
            Field("Support link (shown to people who seem worn out)", team.support_link or "none"),
            Field("Default start of day", team.default_work_start),
            Field("Strict mode (no DMs outside working windows)", _on(team.strict_disconnect)),
            Field("Team norm", team.policy_line or "not set"),
        )
    )
    how = (
        "Admins change team settings with: " + ", ".join(f"`{u}`" for u in TEAM_USAGE[1:]) + "."
        if ctx.is_admin
        else "Only team admins can change the team settings."
    )
    return Message(
        "Your settings and the team's",
        (Text("*Your settings*"), mine, Divider(), Text("*Team settings*"), team_fields, Text(how)),
    )


@flow.command(
    "settings",
    summary="your settings at a glance; admins: the team's pulse channel and defaults",
    usage=TEAM_USAGE,
    section="Admin",
)
async def settings(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    if not cmd.args:
        return [Reply(await _view(ctx))]
    if not ctx.is_admin:
        raise UserError("Only team admins can change team settings. `settings` shows them.")
    key, value = cmd.args[0].lower(), " ".join(cmd.args[1:]).strip()
    team = ctx.team
    if not value:
        raise UserError(f"`settings {key}` needs a value. See `/crossfade help settings`.")
    if key in ("timezone", "tz"):
        match = resolve_zone(value)
        if not match.zone:
            hint = f" Did you mean {', '.join(match.suggestions[:3])}?" if match.suggestions else ""
            raise UserError(f"Unknown time zone “{value[:40]}”.{hint}")
        team.default_timezone = match.zone
        return [reply(f"Team default time zone: {match.zone} (for people who set none).")]
    if key == "channel":
        channel_id, name = parse_channel(value, ctx)
        team.pulse_channel_id, team.pulse_channel_name = channel_id, name
        return [reply(f"Pulse polls will be posted to #{name}.")]
    if key == "k":
        allowed = f"a whole number from {MIN_K} to {MAX_K} (default 5)"
        if not value.isdigit() or len(value) > 4:
            raise UserError(f"The minimum number of answers is {allowed}.")
        k = int(value)
        if k < MIN_K:
            raise UserError(
                f"The minimum number of answers can't be below {MIN_K}: with fewer, people "
                "could be identified."
            )
        if k > MAX_K:
            raise UserError(
                f"The minimum number of answers is {allowed}: above {MAX_K}, results would "
                "hardly ever show."
            )
        team.k_threshold = k
        return [reply(f"Results now need at least {k} answers before anything is shown.")]
    if key in ("pulses", "pulse"):
        if value.lower() not in ("everyone", "admins"):
            raise UserError("Who may create pulses: `everyone` or `admins`.")
        team.pulse_creators = value.lower()
        if value.lower() == "everyone":
            return [reply("Now everyone in the team can start a pulse.")]
        return [reply("Now only admins can start a pulse.")]
    if key == "logoff":
        try:
            team.default_logoff = format_clock(parse_clock(value))
        except InputError as error:
            raise UserError(str(error)) from None
        return [reply(f"Default log-off time: {team.default_logoff}.")]
    if key in ("workday", "start"):
        try:
            team.default_work_start = format_clock(parse_clock(value))
        except InputError as error:
            raise UserError(str(error)) from None
        return [
            reply(f"Default start of day: {team.default_work_start} (for people who set none).")
        ]
    if key == "strict":
        return [reply(_set_strict(team, value))]
    if key in ("policy", "norm"):
        return [reply(_set_policy(team, value))]
    if key == "retention":
        try:
            days = int(value)
        except ValueError:
            raise UserError("Retention is a number of days, from 7 to 3650.") from None
        if not 7 <= days <= 3650:
            raise UserError("Retention is a number of days, from 7 to 3650.")
        team.retention_days = days
        return [reply(f"Check-ins older than {days} days will be deleted.")]
    if key in ("support", "help", "eap"):
        return [reply(_set_support(team, value))]
    raise UserError(
        f"There is no team setting “{key[:30]}”. Settings: timezone, channel, k, pulses, "
        "logoff, retention, support, workday, strict, policy."
    )


_LINK = re.compile(r"^https?://[^\s<>\"']{3,290}$")


def _set_support(team: Any, value: str) -> str:
    if value.lower() in ("off", "none", "clear"):
        team.support_link = None
        return "Support link removed: the quiz still advises rest, without a link."
    if not _LINK.match(value):
        raise UserError(
            "The support link is a web address starting with https://, e.g. "
            "`settings support https://intranet.example.com/eap` (or `settings support off`)."
        )
    team.support_link = value
    return (
        f"Support link set: {value}. The quiz shows it to people whose answers say they are "
        "running on empty."
    )


def _on(value: bool) -> str:
    return "on" if value else "off"


def _set_strict(team: Team, value: str) -> str:
    choice = value.lower()
    if choice not in ("on", "off"):
        raise UserError("Strict mode is `settings strict on` or `settings strict off`.")
    team.strict_disconnect = choice == "on"
    if team.strict_disconnect:
        return (
            "Strict mode on: Crossfade DMs nobody outside their working window, except their "
            "own log-off reminder and a check-in time they confirmed."
        )
    return (
        "Strict mode off: scheduled messages may reach people outside their working window "
        "(they are counted as “outside, unasked” in `team disconnect`)."
    )


def _set_policy(team: Team, value: str) -> str:
    text = " ".join(value.strip().strip('"“”').split())
    if text.lower() in ("off", "none", "clear"):
        team.policy_line = None
        return "Team norm removed."
    if len(text) > 200:
        raise UserError(f"Keep the team norm to 200 characters — this one is {len(text)}.")
    if not text:
        raise UserError(
            'Give the norm in quotes: `settings policy "No replies expected after 18:00"`.'
        )
    team.policy_line = text
    return f"Team norm set. Everyone sees it in help, their home and the welcome message: “{text}”"
