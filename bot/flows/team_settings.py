"""``settings``: your rules at a glance, and the team's settings (changed by admins)."""

from __future__ import annotations

import re

from bot.commands import ParsedCommand
from bot.config import Settings
from bot.domain.anonymity import MIN_K
from bot.domain.parsing import InputError, format_clock, format_workdays, parse_clock
from bot.domain.zones import resolve_zone, search_zones
from bot.effects import Effect, Reply
from bot.flows.personal import away_text, quiet_text
from bot.router import Context, Flow, UserError, reply
from bot.storage.models import Team
from bot.ui import Divider, Field, Fields, Message, Text

__all__ = ["MIN_K", "flow", "parse_channel"]

flow = Flow("settings")

MAX_K = 1000
_CHANNEL = re.compile(r"^<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$|^#(?P<plain>[\w.-]{1,80})$")

TEAM_USAGE = (
    "settings",
    "settings timezone Area/City",
    "settings channel here|#channel",
    "settings k N",
    "settings pulses everyone|admins",
    "settings logoff HH:MM",
    "settings retention DAYS",
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


def _view(ctx: Context) -> Message:
    team = ctx.team
    mine = Fields(
        (
            Field("Time zone", ctx.zone.key),
            Field("Workdays", format_workdays(ctx.member.workdays)),
            Field("Quiet hours", quiet_text(ctx)),
            Field("Away", away_text(ctx)),
            Field("Working window", _window_text(ctx)),
        )
    )
    channel = f"#{team.pulse_channel_name}" if team.pulse_channel_id else "the channel asked in"
    team_fields = Fields(
        (
            Field("Default time zone", team.default_timezone),
            Field("Default log-off time", team.default_logoff),
            Field("Pulse channel", channel),
            Field("Anonymity threshold (k)", str(team.k_threshold)),
            Field("Who may create pulses", team.pulse_creators),
            Field("Check-in retention", f"{team.retention_days} days"),
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
    summary="your settings at a glance; admins: the team's pulse channel, defaults and k",
    usage=TEAM_USAGE,
    section="Admin",
)
async def settings(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    if not cmd.args:
        return [Reply(_view(ctx))]
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
        try:
            k = int(value)
        except ValueError:
            raise UserError("k must be a whole number, at least 3 (default 5).") from None
        if k < MIN_K:
            raise UserError(
                f"k can't be below {MIN_K}: with fewer answers people could be identified."
            )
        if k > MAX_K:
            raise UserError(f"k can be at most {MAX_K}.")
        team.k_threshold = k
        return [reply(f"Results now need at least {k} answers before anything is shown.")]
    if key in ("pulses", "pulse"):
        if value.lower() not in ("everyone", "admins"):
            raise UserError("Who may create pulses: `everyone` or `admins`.")
        team.pulse_creators = value.lower()
        return [reply(f"Pulses can now be created by {value.lower()}.")]
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
    raise UserError(
        f"There is no team setting “{key[:30]}”. Settings: timezone, channel, k, pulses, "
        "logoff, retention, workday, strict, policy."
    )


def _on(value: bool) -> str:
    return "on" if value else "off"


def _window_text(ctx: Context) -> str:
    from bot.flows.workday import member_window

    return f"{member_window(ctx).label()} (`workday HH:MM-HH:MM`)"


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
