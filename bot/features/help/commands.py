"""``help``: every command with a one-line description, grouped; ``help <command>`` for one."""

from __future__ import annotations

from bot.kernel.arguments import arg
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.grammar import did_you_mean
from bot.kernel.help import help_message
from bot.kernel.registry import Flow
from bot.kernel.syntax import Call, Usage
from bot.kernel.ui import Message, Text

__all__ = ["flow"]

flow = Flow("help")

COMMAND = arg(
    "<command>",
    str.lower,
    noun="the name of a command",
    example="logoff",
    option="command",
    greedy=False,
)


def _usage_line(usage: str, words: str) -> str:
    return f"• `/crossfade {usage}`" + (f" — {words}" if words else "")


@flow.command(
    "help",
    summary="this list; `help <command>` for the details of one",
    syntax=(
        Usage(help="every command, grouped"),
        Usage(COMMAND, help="what one command does, each way of typing it explained", more=True),
    ),
    section="Start here",
    featured=True,
)
async def show_help(ctx: Context, cmd: Call) -> list[Effect]:
    router = ctx.registry
    name = cmd.get(COMMAND)
    if name is None:
        message = help_message(router)
        if ctx.team.policy_line:
            norm = Text(f"*Our team's norm:* {ctx.team.policy_line}")
            message = Message(message.text, (norm, *message.blocks))
        return [Reply(message)]
    spec = router.find_command(name)
    if spec is None:
        guess = did_you_mean(name, list(router.commands))
        hint = f" Did you mean `{guess}`?" if guess else ""
        raise UserError(f"There is no command “{name[:30]}”.{hint} `/crossfade help` lists all.")
    usage = "\n".join(_usage_line(line, words) for line, words in spec.usage_help)
    admin = "\n_Team admins only._" if spec.admin else ""
    text = f"*{spec.name}* — {spec.summary}\n{usage}{admin}"
    return [Reply(Message(f"{spec.name}: {spec.summary}", (Text(text),)))]
