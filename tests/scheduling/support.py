"""Helpers for engine tests: a notifier that records, and a loop that plays time forward."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from bot.delivery.notifier import DeliveryResult
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.context import Context
from bot.kernel.effects import Effect, Post, SendDirect
from bot.kernel.events import Actor, Place
from bot.kernel.registry import Flow, Router
from bot.kernel.storage.repositories import Members, Teams
from bot.scheduling.engine import SchedulingEngine


@dataclass
class Delivered:
    at: datetime  # the fake clock when the notifier was called (UTC)
    effect: Effect

    @property
    def text(self) -> str:
        message = getattr(self.effect, "message", None)
        return message.text if message is not None else ""

    @property
    def user(self) -> str:
        return self.effect.user.user_id if isinstance(self.effect, SendDirect) else ""


@dataclass
class RecordingNotifier:
    """Accepts everything and remembers when; ``results`` can script answers in order."""

    clock: FakeClock
    lane: str = "console"
    rate_per_second: float = float("inf")
    concurrency: int = 1
    delivered: list[Delivered] = field(default_factory=list)
    results: list[DeliveryResult] = field(default_factory=list)
    calls: int = 0

    async def deliver(self, effect: Effect) -> DeliveryResult:
        self.calls += 1
        if self.results:
            result = self.results.pop(0)
            if not result.ok:
                return result
        else:
            result = DeliveryResult.sent(f"m{self.calls}" if isinstance(effect, Post) else "")
        self.delivered.append(Delivered(self.clock.now(), effect))
        return result


async def play_until(engine: SchedulingEngine, clock: FakeClock, end: datetime) -> int:
    """Like the console's ``:advance``: jump to each due instant up to ``end`` and run what
    is due there. Returns the number of steps."""
    steps = 0
    while True:
        due = await engine.next_due_at()
        if due is None or due > end:
            break
        if due > clock.now():
            clock.set(due)
        await engine.run_due()
        steps += 1
        assert steps < 100_000, "the engine keeps saying something is due"
    clock.set(end)
    await engine.run_due()
    return steps


@asynccontextmanager
async def member_context(
    bot: Bot, user: str = "ana", *, team: str = "T1", platform: str = "console"
) -> AsyncIterator[Context]:
    """A handler-like Context for ``user`` inside one unit of work (committed on exit)."""
    actor = Actor(platform, team, user, user)
    async with bot.db.uow() as uow:
        team_row = await Teams(uow.session).get_or_create(actor.team)
        member, _ = await Members(uow.session, team_row).get_or_create(actor)
        await uow.flush()
        yield Context(
            uow=uow,
            team=team_row,
            member=member,
            actor=actor,
            place=Place.dm(),
            now=bot.clock.now(),
            registry=bot.router,
            settings=bot.settings,
        )
        await uow.commit()


def bot_with(bot: Bot, *flows: Flow) -> Bot:
    """The same bot (database, clock) with extra flows registered."""
    from bot.bootstrap import all_flows

    return Bot(
        db=bot.db, settings=bot.settings, clock=bot.clock, router=Router([*all_flows(), *flows])
    )
