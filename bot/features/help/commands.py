"""``help``: every command with a one-line description, grouped; ``help <command>`` for one."""

from __future__ import annotations

from bot.features.help.explain import explain
from bot.kernel.effects import Effect, Reply
from bot.kernel.grammar import ParsedCommand, did_you_mean
from bot.kernel.registry import CommandSpec, Context, Flow, Router, UserError
from bot.kernel.ui import Divider, Message, Text

__all__ = ["flow", "help_message"]

flow = Flow("help")

SECTION_ORDER = ("Start here", "You", "Reminders", "Check-ins", "Team", "Your data", "Admin")


def _line(spec: CommandSpec) -> str:
    return f"• `/crossfade {spec.usage[0]}` — {spec.summary}"


def _usage_line(usage: str) -> str:
    words = explain(usage)
    return f"• `/crossfade {usage}`" + (f" — {words}" if words else "")


def help_message(router: Router, *, lead: str = "") -> Message:
    """The full command list, grouped by section."""
    sections: dict[str, list[CommandSpec]] = {}
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


@flow.command(
    "help",
    summary="this list; `help <command>` for the details of one",
    usage=("help", "help <command>"),
    section="Start here",
)
async def show_help(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    router = ctx.bot.router
    if not cmd.args:
        message = help_message(router)
        if ctx.team.policy_line:
            norm = Text(f"*Our team's norm:* {ctx.team.policy_line}")
            message = Message(message.text, (norm, *message.blocks))
        return [Reply(message)]
    name = cmd.args[0].lower()
    spec = router.find_command(name)
    if spec is None:
        guess = did_you_mean(name, list(router.commands))
        hint = f" Did you mean `{guess}`?" if guess else ""
        raise UserError(f"There is no command “{name[:30]}”.{hint} `/crossfade help` lists all.")
    usage = "\n".join(_usage_line(u) for u in spec.usage)
    admin = "\n_Team admins only._" if spec.admin else ""
    text = f"*{spec.name}* — {spec.summary}\n{usage}{admin}"
    return [Reply(Message(f"{spec.name}: {spec.summary}", (Text(text),)))]
