"""Helpers for pulse tests: a harness that behaves like an adapter (it reports posted
messages back with ``Bot.remember_post``), a recording notifier for scheduled deliveries,
and small finders for buttons and effects."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from bot.delivery.notifier import DeliveryResult
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Effect, Post, Reply, Update
from bot.kernel.events import Action, MessageRef, TeamKey
from bot.kernel.ui import Button, Image, Message
from bot.scheduling.engine import SchedulingEngine
from tests.support.harness import GENERAL, Harness, messages, text_of

__all__ = [
    "GENERAL",
    "PulseHarness",
    "Recorder",
    "answer_button",
    "post_of",
    "text_of",
]


@dataclass
class Recorder:
    """A notifier for the console lane that records every delivered effect."""

    bot: Bot
    lane: str = "console"
    # Unlimited: a test's fake clock does not move while draining, so no token would refill.
    rate_per_second: float = float("inf")
    delivered: list[Effect] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def deliver(self, effect: Effect) -> DeliveryResult:
        self.delivered.append(effect)
        message_id = f"sched-{next(self._ids)}"
        if isinstance(effect, Post) and effect.ref_key:
            await self.bot.remember_post(
                TeamKey("console", "T1"), effect.ref_key, MessageRef(effect.channel, message_id)
            )
        return DeliveryResult.sent(message_id)

    def take(self) -> list[Effect]:
        out, self.delivered = self.delivered, []
        return out


@dataclass
class PulseHarness(Harness):
    """A Harness that remembers channel posts as an adapter would, and can run the
    scheduling engine at the fake clock's now."""

    engine: SchedulingEngine | None = None
    recorder: Recorder | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def _remember(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Post) and effect.ref_key:
                ref = MessageRef(effect.channel, f"msg-{next(self._ids)}")
                await self.bot.remember_post(TeamKey(self.platform, self.team), effect.ref_key, ref)

    async def command(self, user: str, text: str, place=GENERAL) -> list[Effect]:  # type: ignore[no-untyped-def,override]
        effects = await super().command(user, text, place)
        await self._remember(effects)
        return effects

    async def press(self, user: str, button: Button, ref=None, place=GENERAL) -> list[Effect]:  # type: ignore[no-untyped-def,override]
        effects = await super().press(user, button, ref, place)
        await self._remember(effects)
        return effects

    async def press_raw(self, user: str, action: str, value: str) -> list[Effect]:
        return await self.bot.handle(Action(self.actor(user), action, value, None, GENERAL))

    async def advance_to(self, target: datetime) -> list[Effect]:
        """Move the fake clock to ``target`` the way the console's ``:advance`` does: stop at
        every instant something falls due, so nothing is skipped as a misfire."""
        assert self.engine is not None and self.recorder is not None
        clock = self.bot.clock
        assert isinstance(clock, FakeClock)
        delivered: list[Effect] = []
        for _ in range(10_000):
            due = await self.engine.next_due_at()
            if due is None or due > target:
                break
            if due > clock.now():
                clock.set(due)
            delivered += await self.run_due()
        clock.set(target)
        delivered += await self.run_due()
        return delivered

    async def run_due(self) -> list[Effect]:
        """Dispatch what is due now and deliver it; returns the delivered effects."""
        assert self.engine is not None and self.recorder is not None
        await self.engine.run_due()
        return self.recorder.take()


def post_of(effects: list[Effect]) -> Post:
    posts = [e for e in effects if isinstance(e, Post)]
    assert posts, f"no Post in {[type(e).__name__ for e in effects]}: {text_of(effects)}"
    return posts[-1]


def answer_button(effects: list[Effect], label: str) -> Button:
    """The answer button ``label`` on the newest poll message in ``effects``."""
    for message in reversed(messages(effects)):
        for candidate in message.buttons:
            if candidate.action == "pulse:answer" and candidate.label == label:
                return candidate
    raise AssertionError(f"no answer {label!r} in {text_of(effects)}")


def replies(effects: list[Effect]) -> str:
    return "\n".join(text_of([e]) for e in effects if isinstance(e, Reply))


def updates(effects: list[Effect]) -> list[Update]:
    return [e for e in effects if isinstance(e, Update)]


def images(effects: list[Effect]) -> list[Image]:
    found: list[Image] = []
    for message in messages(effects):
        found.extend(message.images)
    return found


def all_text(message: Message) -> str:
    return text_of([Reply(message)])


__all__ += ["all_text", "images", "replies", "updates"]
