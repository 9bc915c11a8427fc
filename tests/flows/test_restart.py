"""A conversation is a row: killing the process mid-conversation loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect
from bot.kernel.events import Action, Actor, Command, Place
from bot.kernel.registry import Flow, Router
from bot.kernel.storage.db import Database
from bot.kernel.syntax import Call
from tests.support.harness import text_of

# A two-step conversation used only by this test: the real ones (quiz, check-in) follow
# the same pattern.
demo = Flow("demo")


@demo.command("demo", summary="a two-step demo")
async def start(ctx: Context, cmd: Call) -> list[Effect]:
    await ctx.conversations.start(ctx.member, "demo", {"step": 1, "answers": []})
    return [reply("step 1")]


@demo.action("demo:answer")
async def answer(ctx: Context, value: str) -> list[Effect]:
    conversation = await ctx.conversations.get(ctx.member, "demo")
    if conversation is None:
        return [reply("no conversation")]
    state = dict(conversation.state)
    state["answers"] = [*state["answers"], value]
    state["step"] += 1
    await ctx.conversations.save(conversation, state)
    return [reply(f"step {state['step']} after {','.join(state['answers'])}")]


ACTOR = Actor("console", "T1", "you", "you")

CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from tests.flows.test_restart import make_bot, ACTOR
    from bot.kernel.events import Action, Command, Place

    async def main():
        bot = await make_bot(sys.argv[1])
        await bot.handle(Command(ACTOR, "demo", Place.dm()))
        await bot.handle(Action(ACTOR, "demo:answer", "first"))
        print("ready", flush=True)
        await asyncio.sleep(60)  # killed here, mid-conversation

    asyncio.run(main())
    """
)


async def make_bot(path: str) -> Bot:
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.upgrade()
    from bot.bootstrap import all_flows

    return Bot(db=db, clock=FakeClock(), router=Router([*all_flows(), demo]))


async def test_conversation_survives_kill_9(tmp_path: Path) -> None:
    path = str(tmp_path / "restart.db")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, path],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    bot = await make_bot(path)  # a new process's bot on the same database
    effects = await bot.handle(Action(ACTOR, "demo:answer", "second"))
    assert "step 3 after first,second" in text_of(effects)
    effects = await bot.handle(Command(ACTOR, "help", Place.dm()))
    assert "/crossfade demo" in text_of(effects)
    await bot.db.dispose()
