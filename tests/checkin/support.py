"""Helpers for check-in tests: answer a whole check-in, run due jobs, read rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.features.checkin.models import CheckIn
from bot.kernel.app import Bot
from bot.kernel.effects import Effect, SendDirect
from bot.kernel.events import Place
from bot.kernel.storage.models import Member
from tests.support.harness import Harness, button

DM = Place.dm()

# labels in the order the questions come
GOOD_DAY = ("4 🙂", "OK", "6–8", "Yes", "Yes")
LONG_DAY = ("2 🙁", "Low", "10+", "No", "No")


async def answer_all(h: Harness, user: str, answers: tuple[str, ...] = GOOD_DAY) -> list[Effect]:
    """``checkin`` and press one answer per question; returns the last effects."""
    effects = await h.command(user, "/crossfade checkin", DM)
    for label in answers:
        effects = await h.press(user, button(effects, label), place=DM)
    return effects


async def answer_message(
    h: Harness, user: str, effects: list[Effect], answers: tuple[str, ...] = GOOD_DAY
) -> list[Effect]:
    """Answer a check-in that arrived in ``effects`` (e.g. the scheduled DM)."""
    for label in answers:
        effects = await h.press(user, button(effects, label), place=DM)
    return effects


async def checkins(bot: Bot, user: str | None = None) -> list[CheckIn]:
    async with bot.db.uow() as uow:
        query = select(CheckIn).order_by(CheckIn.local_date)
        if user is not None:
            query = query.join(Member, Member.id == CheckIn.member_id).where(
                Member.platform_user_id == user
            )
        rows = list(await uow.session.scalars(query))
        await uow.commit()  # keeps the loaded values readable after the session closes
        return rows


async def checkin_on(bot: Bot, user: str, day: date) -> CheckIn | None:
    for row in await checkins(bot, user):
        if row.local_date == day:
            return row
    return None


async def run_jobs(bot: Bot) -> list[SendDirect]:
    """Dispatch every schedule due at the bot's clock; return (and mark sent) the DMs the
    engine queued."""
    from bot.delivery.codec import effect_from_json
    from bot.kernel.storage.models.scheduling import OutboxRow
    from bot.scheduling.dispatcher import Dispatcher

    await Dispatcher(bot).run(bot.clock.now())
    sent: list[SendDirect] = []
    async with bot.db.uow() as uow:
        rows = await uow.session.scalars(
            select(OutboxRow).where(OutboxRow.status == "pending").order_by(OutboxRow.id)
        )
        for row in rows:
            effect: Any = effect_from_json(row.effect)
            if isinstance(effect, SendDirect):
                sent.append(effect)
            row.status = "sent"
        await uow.commit()
    return sent


def to(user: str, sent: list[SendDirect]) -> list[Effect]:
    return [effect for effect in sent if effect.user.user_id == user]
