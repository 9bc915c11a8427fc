"""``help``: every command with a one-line description, grouped; ``help <command>`` for one."""

from __future__ import annotations

from bot.features.help.explain import explain
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.grammar import ParsedCommand, did_you_mean
from bot.kernel.help import help_message
from bot.kernel.registry import Flow
from bot.kernel.ui import Message, Text

__all__ = ["flow"]

flow = Flow("help")


def _usage_line(usage: str) -> str:
    words = explain(usage)
    return f"• `/crossfade {usage}`" + (f" — {words}" if words else "")


@flow.command(
    "help",
    summary="this list; `help <command>` for the details of one",
    usage=("help", "help <command>"),
    section="Start here",
)
async def show_help(ctx: Context, cmd: ParsedCommand) -> list[Effect]:
    router = ctx.registry
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
