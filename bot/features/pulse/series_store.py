"""Recurring pulse series of one team (the queries :class:`bot.features.pulse.store.Pulses` adds
to its polls)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.pulse.models import PulsePoll, PulseSeries
from bot.kernel.storage.models import Team

__all__ = ["SeriesQueries"]


class SeriesQueries:
    session: AsyncSession
    team: Team

    async def add_series(self, **values: Any) -> PulseSeries:
        number = (
            await self.session.scalar(
                select(func.coalesce(func.max(PulseSeries.number), 0)).where(
                    PulseSeries.team_id == self.team.id
                )
            )
            or 0
        ) + 1
        series = PulseSeries(team_id=self.team.id, number=number, active=True, **values)
        self.session.add(series)
        await self.session.flush()
        return series

    async def series(self, number: int) -> PulseSeries | None:
        return await self.session.scalar(
            select(PulseSeries).where(
                PulseSeries.team_id == self.team.id, PulseSeries.number == number
            )
        )

    async def series_by_id(self, series_id: int) -> PulseSeries | None:
        return await self.session.scalar(
            select(PulseSeries).where(
                PulseSeries.team_id == self.team.id, PulseSeries.id == series_id
            )
        )

    async def active_series(self) -> list[PulseSeries]:
        rows = await self.session.scalars(
            select(PulseSeries)
            .where(PulseSeries.team_id == self.team.id, PulseSeries.active.is_(True))
            .order_by(PulseSeries.number)
        )
        return list(rows)

    async def open_in_series(self, series_id: int) -> list[PulsePoll]:
        rows = await self.session.scalars(
            select(PulsePoll).where(
                PulsePoll.team_id == self.team.id,
                PulsePoll.series_id == series_id,
                PulsePoll.status == "open",
            )
        )
        return list(rows)
