"""The command list, grouped by section: the answer to ``help`` and to an unknown command."""

from __future__ import annotations

from bot.kernel.context import CommandInfo, Registry
from bot.kernel.ui import Divider, Message, Text

__all__ = ["SECTION_ORDER", "help_message"]

SECTION_ORDER = ("Start here", "You", "Reminders", "Check-ins", "Team", "Your data", "Admin")


def _line(spec: CommandInfo) -> str:
    return f"• `/crossfade {spec.usage[0]}` — {spec.summary}"


def help_message(router: Registry, *, lead: str = "") -> Message:
    """The full command list, grouped by section."""
    sections: dict[str, list[CommandInfo]] = {}
    for spec in router.commands.values():
        sections.setdefault(spec.section, []).append(spec)
    order = [s for s in SECTION_ORDER if s in sections] + sorted(
        s for s in sections if s not in SECTION_ORDER
    )
    blocks: list[Text | Divider] = []
    if lead:
        blocks += [Text(lead), Divider()]
    blocks.append(
        Text(
            "*Crossfade* helps you choose between work-life *balance* and *integration*, and "
            "live by it. Commands:"
        )
    )
    for section in order:
        lines = "\n".join(_line(spec) for spec in sections[section])
        blocks.append(Text(f"*{section}*\n{lines}"))
    blocks.append(Text("`/crossfade help <command>` shows the details of one command."))
    summary = lead or "Crossfade commands"
    return Message(summary, tuple(blocks))
