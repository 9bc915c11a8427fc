"""A test flow with two job kinds, for engine tests."""

from __future__ import annotations

from bot.kernel.context import Context
from bot.kernel.effects import Effect, Post, SendDirect
from bot.kernel.events import Place
from bot.kernel.registry import Flow
from bot.kernel.ui import Message, Text
from bot.scheduling import Due

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


@test_flow.job("test.again")
async def again(ctx: Context, due: Due) -> list[Effect]:
    """Re-arms itself an hour later, three times in all (like a follow-up reminder)."""
    from datetime import timedelta

    from bot.scheduling import Once, set_schedule

    seen.append(due)
    left = int(due.data.get("left", 2))
    if left > 0:
        await set_schedule(
            ctx,
            kind=due.kind,
            ref=due.ref,
            rule=Once(due.due_at + timedelta(hours=1)),
            data={"left": left - 1},
        )
    return [SendDirect(ctx.user_ref, Message(f"again {left}"))]


@test_flow.job("test.stop")
async def stop(ctx: Context, due: Due) -> list[Effect]:
    """A daily job that cancels itself on its first run."""
    from bot.scheduling import cancel_schedule

    seen.append(due)
    await cancel_schedule(ctx, kind=due.kind, ref=due.ref)
    return [SendDirect(ctx.user_ref, Message("last one"))]


@test_flow.job("test.touch")
async def touch(ctx: Context, due: Due) -> list[Effect]:
    """Uses ctx.member as an ORM object: reads, a query by id, and a change that persists."""
    from sqlalchemy import select

    from bot.kernel.storage.models import Member

    seen.append(due)
    same = await ctx.uow.session.scalar(select(Member).where(Member.id == ctx.member.id))
    assert same is ctx.member  # the attached object is the session's own
    ctx.member.display_name = f"touched at {due.local_due:%H:%M}"
    return []
