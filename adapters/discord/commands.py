"""The shape of the ``/crossfade`` command group, planned from the core's router (pure; the
discord.py objects are built in :mod:`adapters.discord.tree`).

Every core command becomes a subcommand with at most one option, shaped from its declared
syntax (:mod:`bot.kernel.syntax`): when every usage is one part and one of them is an
argument shown by its placeholder, the option is named after that argument (``timezone
Area/City`` → ``zone``; ``quiet HH:MM-HH:MM · off`` → ``hours``) and typed by it (a lone
number is an integer); otherwise it is a free ``input`` (``checkin at HH:MM · off``). The
option's text goes to the core verbatim, so flows added later appear on Discord without a
line of Discord code. Autocomplete offers what the declared arguments complete (time zones,
pulse templates …) and the usages that can be sent as they read.

Discord allows 25 subcommands in a group. Up to 25 core commands are direct subcommands
(``/crossfade quiz``); beyond that each help section becomes a subcommand group
(``/crossfade reminders logoff``) — the text sent to the core stays ``logoff …``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from adapters.discord import limits
from adapters.discord.limits import clip
from bot.kernel.registry import CommandSpec, Router
from bot.kernel.settings import Settings

__all__ = [
    "GROUP_DESCRIPTION",
    "GROUP_NAME",
    "OptionShape",
    "SubcommandShape",
    "TreeShape",
    "combined_length",
    "option_shape",
    "plan",
    "suggestions",
]

GROUP_NAME = "crossfade"
GROUP_DESCRIPTION = "Balance or blend: work-life reminders, check-ins, a quiz and team pulses"
GENERIC_OPTION = "input"
_NAME_OK = re.compile(r"[^a-z0-9_-]+")


def command_name(text: str) -> str:
    """A valid Discord command or option name: lower case, ``[a-z0-9_-]``, 1–32 chars."""
    name = _NAME_OK.sub("-", text.strip().lower()).strip("-") or "command"
    return name[: limits.COMMAND_NAME]


def description(text: str) -> str:
    """Plain text of 1–100 characters (Discord shows no markdown here)."""
    plain = re.sub(r"[`*_~]", "", " ".join(text.split()))
    return clip(plain or "—", limits.COMMAND_DESCRIPTION)


@dataclass(frozen=True, slots=True)
class OptionShape:
    name: str
    description: str
    required: bool
    kind: Literal["string", "integer"]
    forms: tuple[str, ...]  # usages after the command name that can be sent as they read


@dataclass(frozen=True, slots=True)
class SubcommandShape:
    name: str
    description: str
    core_name: str
    option: OptionShape | None


@dataclass(frozen=True, slots=True)
class TreeShape:
    """What ``/crossfade`` looks like: direct subcommands, then groups of them."""

    direct: tuple[SubcommandShape, ...]
    groups: tuple[tuple[str, str, tuple[SubcommandShape, ...]], ...]  # name, description, subs

    def all(self) -> Iterable[SubcommandShape]:
        yield from self.direct
        for _name, _description, subs in self.groups:
            yield from subs


def option_shape(spec: CommandSpec) -> OptionShape | None:
    """The one option a subcommand takes, read from its declared syntax (``None``: none)."""
    tails = spec.syntax.tails()
    given = list(dict.fromkeys(t for t in tails if t))
    if not given:
        return None
    required = "" not in tails
    name: str = GENERIC_OPTION
    kind: Literal["string", "integer"] = "string"
    argument = spec.syntax.lone_argument()
    if argument is not None:
        name, kind = argument.option, argument.kind
        if kind == "integer" and len(given) > 1:
            kind = "string"  # ``N`` or ``off``: free text
    text = " · ".join(given)
    forms = tuple(dict.fromkeys(spec.syntax.suggestions()))
    return OptionShape(command_name(name), description(text), required, kind, forms)


def _shape(spec: CommandSpec) -> SubcommandShape:
    summary = spec.summary + (" (admins)" if spec.admin else "")
    return SubcommandShape(
        command_name(spec.name), description(summary), spec.name, option_shape(spec)
    )


def plan(router: Router) -> TreeShape:
    """How the router's commands map onto ``/crossfade`` (pure; see the module docstring)."""
    shapes: list[SubcommandShape] = []
    sections: dict[str, list[SubcommandShape]] = {}
    seen: set[str] = set()
    for spec in router.commands.values():
        shape = _shape(spec)
        if shape.name in seen:  # two core names that normalise alike: keep the first
            continue
        seen.add(shape.name)
        shapes.append(shape)
        sections.setdefault(spec.section, []).append(shape)
    if len(shapes) <= limits.OPTIONS_PER_COMMAND:
        return _fit(TreeShape(tuple(shapes), ()))
    groups: list[tuple[str, str, tuple[SubcommandShape, ...]]] = []
    for section, subs in sections.items():
        for start in range(0, len(subs), limits.OPTIONS_PER_COMMAND):
            chunk = tuple(subs[start : start + limits.OPTIONS_PER_COMMAND])
            suffix = f"-{start // limits.OPTIONS_PER_COMMAND + 1}" if start else ""
            name = command_name(section)[: limits.COMMAND_NAME - len(suffix)] + suffix
            names = ", ".join(s.name for s in chunk)
            groups.append((name, description(f"{section}: {names}"), chunk))
    return _fit(TreeShape((), tuple(groups[: limits.OPTIONS_PER_COMMAND])))


def combined_length(shape: TreeShape) -> int:
    """Discord's 4,000-character budget: every name and description in the command."""
    total = len(GROUP_NAME) + len(GROUP_DESCRIPTION)
    for name, text, _subs in shape.groups:
        total += len(name) + len(text)
    for sub in shape.all():
        total += len(sub.name) + len(sub.description)
        if sub.option is not None:
            total += len(sub.option.name) + len(sub.option.description)
    return total


def _shorter(sub: SubcommandShape, option_limit: int, sub_limit: int) -> SubcommandShape:
    option = sub.option
    if option is not None:
        option = replace(option, description=clip(option.description, option_limit))
    return replace(sub, description=clip(sub.description, sub_limit), option=option)


def _fit(shape: TreeShape) -> TreeShape:
    """Shorten descriptions (options first, they are hints) until the tree fits the budget."""
    for option_limit, sub_limit in ((60, 100), (30, 100), (30, 60), (15, 40), (1, 20)):
        if combined_length(shape) <= limits.COMMAND_COMBINED:
            return shape
        shape = TreeShape(
            tuple(_shorter(s, option_limit, sub_limit) for s in shape.direct),
            tuple(
                (
                    name,
                    clip(text, sub_limit),
                    tuple(_shorter(s, option_limit, sub_limit) for s in subs),
                )
                for name, text, subs in shape.groups
            ),
        )
    return shape


# --- autocomplete ----------------------------------------------------------------------


def suggestions(
    router: Router, settings: Settings, core_name: str, forms: tuple[str, ...], typed: str
) -> list[str]:
    """What to offer while someone types the option: the core's completions first, then
    the usage forms that start with (or contain) the text, at most 25, each ≤ 100 chars."""
    found: list[str] = []
    for candidate in router.complete(core_name, typed, settings):
        if candidate not in found:
            found.append(candidate)
    lowered = typed.strip().lower()
    starts = [f for f in forms if f.lower().startswith(lowered)]
    contains = [f for f in forms if lowered and lowered in f.lower() and f not in starts]
    for form in [*starts, *contains]:
        if form not in found:
            found.append(form)
    return [f for f in found if 0 < len(f) <= limits.CHOICE_VALUE][: limits.CHOICES]
