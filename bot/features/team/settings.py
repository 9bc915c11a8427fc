"""``settings``: your rules at a glance, and the team's settings (changed by admins).

The person's own rules and reminders come from the features that keep them
(:data:`~bot.kernel.slots.MY_SETTINGS`); the team's are the team row's."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.anonymity import MIN_K
from bot.domain.parsing import format_clock
from bot.kernel.arguments import OFF, Arg, Word, choice, clock, integer, text, zone
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.registry import Flow
from bot.kernel.slots import MY_SETTINGS
from bot.kernel.storage.models import Team
from bot.kernel.syntax import Call, Syntax, Usage
from bot.kernel.ui import Divider, Field, Fields, Message, Text

__all__ = ["MIN_K", "flow", "parse_channel"]

flow = Flow("settings")

MAX_K = 100
_CHANNEL = re.compile(r"^<#(?P<id>[A-Z0-9]+)(?:\|(?P<name>[^>]*))?>$|^#(?P<plain>[\w.-]{1,80})$")


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


def _k_refusal(typed: str) -> str:
    allowed = f"a whole number from {MIN_K} to {MAX_K} (default 5)"
    if not (typed.isascii() and typed.isdigit()) or len(typed) > 4:
        return f"The minimum number of answers is {allowed}."
    if int(typed) < MIN_K:
        return (
            f"The minimum number of answers can't be below {MIN_K}: with fewer, people "
            "could be identified."
        )
    return (
        f"The minimum number of answers is {allowed}: above {MAX_K}, results would hardly "
        "ever show."
    )


ADMINS_ONLY = "Only team admins can change team settings. `settings` shows them."
TEAM_ZONE = zone()
CHANNEL: Arg[tuple[str, str]] = Arg(
    "here|#channel",
    lambda piece, ctx: parse_channel(piece.text, ctx),
    noun="a channel",
    example="here",
)
K = integer(MIN_K, MAX_K, noun="a minimum number of answers", example="5", refuse=_k_refusal)
CREATORS = choice(
    Word("everyone"), Word("admins"), refuse="Who may create pulses: `everyone` or `admins`."
)
DEFAULT_LOGOFF = clock()
RETENTION = integer(
    7,
    3650,
    shown="DAYS",
    noun="a number of days",
    example="365",
    refuse=lambda _typed: "Retention is a number of days, from 7 to 3650.",
)
SUPPORT_LINK = text(
    "https://…|off", noun="a web address", example="https://intranet.example.com/eap"
)
DEFAULT_START = clock()
STRICT = choice(
    Word("on"),
    OFF,
    shown="on|off",
    refuse="Strict mode is `settings strict on` or `settings strict off`.",
)
POLICY = text(
    '"We don\'t expect replies after 18:00"|off',
    noun="the norm, in quotes",
    example='"No replies expected after 18:00"',
)
SUPPORT = Word("support", "help", "eap")
NORM = Word("policy", "norm")


def _admins(*parts: Word | Arg[Any], help: str = "", hidden: bool = False) -> Usage:
    return Usage(*parts, help=help, hidden=hidden, admin=ADMINS_ONLY)


SETTINGS_SYNTAX = (
    Usage(help="your settings and the team's, at a glance"),
    _admins(
        Word("timezone", "tz"),
        TEAM_ZONE,
        help="the time zone for people who haven't set their own",
    ),
    _admins(Word("channel"), CHANNEL, help="where pulses are posted (`here` = this channel)"),
    _admins(
        Word("k"),
        K,
        help=(
            "the minimum number of answers before any pulse or team result is shown "
            "(3 to 100; more answers, more anonymity)"
        ),
    ),
    _admins(Word("pulses", "pulse"), CREATORS, help="who may start a pulse"),
    _admins(
        Word("logoff"),
        DEFAULT_LOGOFF,
        help="the log-off time suggested to people who set none",
    ),
    _admins(
        Word("retention"),
        RETENTION,
        help="how many days check-ins are kept before they are deleted",
    ),
    _admins(
        SUPPORT,
        SUPPORT_LINK,
        help=(
            "a page the quiz points to when someone seems worn out, e.g. your employee "
            "assistance programme"
        ),
    ),
    _admins(SUPPORT, OFF, hidden=True),
    _admins(
        Word("workday", "start"),
        DEFAULT_START,
        help="the start of day for people who haven't set their own",
    ),
    _admins(
        Word("strict"),
        STRICT,
        help="strict mode: no DMs outside people's working windows except what they asked for",
    ),
    _admins(
        NORM,
        POLICY,
        help="a short team norm shown in help, the home page and the welcome message",
    ),
    _admins(NORM, OFF, hidden=True),
)
TEAM_USAGE = tuple(line for line, _help in Syntax(SETTINGS_SYNTAX).lines("settings"))


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
    syntax=SETTINGS_SYNTAX,
    section="Admin",
    featured=True,
)
async def settings(ctx: Context, cmd: Call) -> list[Effect]:
    if cmd.bare:
        return [Reply(await _view(ctx))]
    key = cmd.sub
    team = ctx.team
    if key == "timezone":
        match = cmd.value(TEAM_ZONE)
        if not match.zone:
            value = " ".join(cmd.line.args[1:])
            hint = f" Did you mean {', '.join(match.suggestions[:3])}?" if match.suggestions else ""
            raise UserError(f"Unknown time zone “{value[:40]}”.{hint}")
        team.default_timezone = match.zone
        return [reply(f"Team default time zone: {match.zone} (for people who set none).")]
    if key == "channel":
        channel_id, name = cmd.value(CHANNEL)
        team.pulse_channel_id, team.pulse_channel_name = channel_id, name
        return [reply(f"Pulse polls will be posted to #{name}.")]
    if key == "k":
        k = cmd.value(K)
        team.k_threshold = k
        return [reply(f"Results now need at least {k} answers before anything is shown.")]
    if key == "pulses":
        team.pulse_creators = cmd.value(CREATORS)
        if team.pulse_creators == "everyone":
            return [reply("Now everyone in the team can start a pulse.")]
        return [reply("Now only admins can start a pulse.")]
    if key == "logoff":
        team.default_logoff = format_clock(cmd.value(DEFAULT_LOGOFF))
        return [reply(f"Default log-off time: {team.default_logoff}.")]
    if key == "workday":
        team.default_work_start = format_clock(cmd.value(DEFAULT_START))
        return [
            reply(f"Default start of day: {team.default_work_start} (for people who set none).")
        ]
    if key == "strict":
        return [reply(_set_strict(team, cmd.value(STRICT)))]
    if key == "policy":
        return [reply(_set_policy(team, None if cmd.said(OFF) else cmd.value(POLICY)))]
    if key == "retention":
        days = cmd.value(RETENTION)
        team.retention_days = days
        return [reply(f"Check-ins older than {days} days will be deleted.")]
    return [reply(_set_support(team, None if cmd.said(OFF) else cmd.value(SUPPORT_LINK)))]


_LINK = re.compile(r"^https?://[^\s<>\"']{3,290}$")


def _set_support(team: Any, value: str | None) -> str:
    if value is None:  # `settings support off`
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


def _set_policy(team: Team, value: str | None) -> str:
    if value is None:  # `settings policy off`
        team.policy_line = None
        return "Team norm removed."
    text = " ".join(value.strip().strip('"“”').split())
    if len(text) > 200:
        raise UserError(f"Keep the team norm to 200 characters — this one is {len(text)}.")
    if not text:
        raise UserError(
            'Give the norm in quotes: `settings policy "No replies expected after 18:00"`.'
        )
    team.policy_line = text
    return f"Team norm set. Everyone sees it in help, their home and the welcome message: “{text}”"
