"""A test flow with two job kinds, for engine tests."""

from __future__ import annotations

from bot.effects import Effect, Post, SendDirect
from bot.events import Place
from bot.router import Context, Flow
from bot.scheduling import Due
from bot.ui import Message, Text

test_flow = Flow("test")
seen: list[Due] = []


@test_flow.job("test.ping")
async def ping(ctx: Context, due: Due) -> list[Effect]:
    seen.append(due)
    if due.data.get("explode"):
        raise RuntimeError("boom")
    text = f"ping {due.ref} {due.local_due:%H:%M}"
    return [SendDirect(ctx.user_ref, Message(text, (Text(text),)))]


@test_flow.job("test.post")
async def post(ctx: Context, due: Due) -> list[Effect]:
    seen.append(due)
    return [Post(Place.channel("C1", "general"), Message("weekly"), ref_key=f"post:{due.ref}")]
