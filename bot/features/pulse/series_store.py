"""The pulses that wait for a time, scoped by team: weekly series (:class:`WeeklyPulses`)
and one-off pulses held until their asker's working window opens (:class:`HeldPulses`).
Reached with ``ctx.store(WeeklyPulses)`` and ``ctx.store(HeldPulses)``; the polls themselves
are in :mod:`bot.features.pulse.store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.features.pulse.models import PulseSeries
from bot.kernel.events import Place
from bot.kernel.storage.models.scheduling import Schedule
from bot.kernel.storage.store import Store

__all__ = ["HeldPulse", "HeldPulses", "WeeklyPulses"]


class WeeklyPulses(Store):
    """A team's weekly pulses: a template asked every week at a local time."""

    async def add(
        self,
        *,
        template: str,
        weekday: int,
        at: str,
        zone: str,
        channel: Place,
        open_minutes: int | None,
    ) -> PulseSeries:
        """A new active series, numbered after the team's last one. ``at`` is local
        ``HH:MM``; ``open_minutes`` ``None`` keeps each poll open until an hour before the
        next."""
        highest = await self.session.scalar(
            select(func.coalesce(func.max(PulseSeries.number), 0)).where(
                PulseSeries.team_id == self.team.id
            )
        )
        series = PulseSeries(
            team_id=self.team.id,
            number=(highest or 0) + 1,
            active=True,
            template=template,
            weekday=weekday,
            at=at,
            zone=zone,
            channel_id=channel.id,
            channel_name=channel.name or channel.id,
            open_minutes=open_minutes,
        )
        self.session.add(series)
        await self.session.flush()
        return series

    async def get(self, number: int) -> PulseSeries | None:
        return await self.session.scalar(
            select(PulseSeries).where(
                PulseSeries.team_id == self.team.id, PulseSeries.number == number
            )
        )

    async def by_id(self, series_id: int) -> PulseSeries | None:
        return await self.session.scalar(
            select(PulseSeries).where(
                PulseSeries.team_id == self.team.id, PulseSeries.id == series_id
            )
        )

    async def active(self) -> list[PulseSeries]:
        """The series still running, by number."""
        rows = await self.session.scalars(
            select(PulseSeries)
            .where(PulseSeries.team_id == self.team.id, PulseSeries.active.is_(True))
            .order_by(PulseSeries.number)
        )
        return list(rows)

    async def stop(self, series: PulseSeries) -> None:
        """No more polls from ``series``; its past polls and their results stay."""
        series.active = False


@dataclass(frozen=True, slots=True)
class HeldPulse:
    """A pulse waiting for its asker's working window: what it asks, where and when it goes."""

    question: str
    channel_name: str
    posts_at: datetime


class HeldPulses(Store):
    """Pulses asked outside their asker's working window. Each waits as a one-off job of the
    scheduling engine (``job``, see :mod:`bot.features.pulse.window`) whose data holds the
    poll; nothing is written to the pulse's own tables until it is posted."""

    async def waiting(self, member_id: int, *, job: str) -> list[HeldPulse]:
        """The member's held pulses still to be posted, soonest first."""
        rows = await self.session.scalars(
            select(Schedule)
            .where(
                Schedule.team_id == self.team.id,
                Schedule.member_id == member_id,
                Schedule.kind == job,
                Schedule.next_due_at.is_not(None),
                Schedule.stopped.is_(None),
            )
            .order_by(Schedule.next_due_at)
        )
        return [
            HeldPulse(
                str(row.data.get("question", "")),
                str(row.data.get("channel_name", "")),
                row.next_due_at,
            )
            for row in rows
            if row.next_due_at is not None
        ]
