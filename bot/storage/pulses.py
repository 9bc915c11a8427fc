"""Pulse polls in the database, scoped by team. The two writes that matter for anonymity and
for concurrency live here: :meth:`Pulses.record_answer` and :meth:`Pulses.close`.

Both first take the poll row's lock with a conditional ``UPDATE … WHERE status = 'open'``,
so answers and the close are serialised per poll on every database: an answer either lands
before the close (and is counted in the results) or finds the poll closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.pulse import PollSpec, Tally, new_secret, voter_key
from bot.storage.models import Team
from bot.storage.models.pulse import (
    PulseAsker,
    PulseCount,
    PulseParticipant,
    PulsePoll,
    PulseSeries,
)

__all__ = ["AlreadyAnswered", "PollClosed", "Pulses"]

# Core tables for the statements that must run in the database (``count = count + 1``).
_polls = cast(Table, PulsePoll.__table__)
_counts = cast(Table, PulseCount.__table__)
_participants = cast(Table, PulseParticipant.__table__)


class AlreadyAnswered(Exception):
    """This person has answered this poll before."""


class PollClosed(Exception):
    """The poll closed before this answer could be counted."""


@dataclass(frozen=True, slots=True)
class Closed:
    """What closing a poll produced: the final tally (always computed, shown only at k)."""

    poll: PulsePoll
    tally: Tally


class Pulses:
    """Polls and series of one team."""

    def __init__(self, session: AsyncSession, team: Team) -> None:
        self.session = session
        self.team = team

    # --- polls ----------------------------------------------------------------------

    async def create(
        self,
        spec: PollSpec,
        *,
        closes_at: datetime,
        opened_at: datetime,
        channel_id: str,
        channel_name: str,
        asker: tuple[int, str] | None,
        zone: str,
        template: str | None = None,
        series_id: int | None = None,
    ) -> PulsePoll:
        """A new open poll with a zero counter per answer. Its number is the team's next; two
        polls created at once collide on the unique (team, number) and the loser's whole event
        is retried by the core."""
        number = (
            await self.session.scalar(
                select(func.coalesce(func.max(PulsePoll.number), 0)).where(
                    PulsePoll.team_id == self.team.id
                )
            )
            or 0
        ) + 1
        poll = PulsePoll(
            team_id=self.team.id,
            number=number,
            question=spec.question,
            kind=spec.kind,
            options=list(spec.options),
            legend=spec.legend,
            channel_id=channel_id,
            channel_name=channel_name[:200],
            zone=zone,
            status="open",
            opened_at=opened_at,
            closes_at=closes_at,
            responses=0,
            k=self.team.k_threshold,
            secret=new_secret(),
            template=template,
            series_id=series_id,
        )
        self.session.add(poll)
        await self.session.flush()
        if asker is not None:
            member_id, name = asker
            self.session.add(
                PulseAsker(
                    poll_id=poll.id, team_id=self.team.id, member_id=member_id, name=name[:200]
                )
            )
        await self.session.execute(
            insert(_counts),
            [
                {"poll_id": poll.id, "option": i, "team_id": self.team.id, "count": 0}
                for i in range(len(spec.options))
            ],
        )
        return poll

    async def get(self, number: int) -> PulsePoll | None:
        return await self.session.scalar(
            select(PulsePoll).where(PulsePoll.team_id == self.team.id, PulsePoll.number == number)
        )

    async def by_id(self, poll_id: int) -> PulsePoll | None:
        return await self.session.scalar(
            select(PulsePoll).where(PulsePoll.team_id == self.team.id, PulsePoll.id == poll_id)
        )

    async def asker(self, poll: PulsePoll) -> PulseAsker | None:
        """Who asked ``poll`` (``None`` for a weekly pulse, or once the asker used `forget`)."""
        return await self.session.scalar(
            select(PulseAsker).where(
                PulseAsker.team_id == self.team.id, PulseAsker.poll_id == poll.id
            )
        )

    async def recent(self, *, limit: int = 10) -> list[PulsePoll]:
        """Open polls first (soonest deadline first), then the latest closed ones."""
        rows = await self.session.scalars(
            select(PulsePoll)
            .where(PulsePoll.team_id == self.team.id)
            .order_by(PulsePoll.number.desc())
            .limit(limit)
        )
        polls = list(rows)
        return sorted(polls, key=lambda p: (p.status != "open", -p.number))

    async def overdue(self, now: datetime) -> list[PulsePoll]:
        """Open polls whose deadline has passed (closed lazily if a schedule was lost)."""
        rows = await self.session.scalars(
            select(PulsePoll).where(
                PulsePoll.team_id == self.team.id,
                PulsePoll.status == "open",
                PulsePoll.closes_at <= now,
            )
        )
        return list(rows)

    async def record_answer(self, poll: PulsePoll, option: int, *, user_id: str) -> int:
        """Count one anonymous answer and note that ``user_id`` answered; returns the poll's
        new number of responses.

        One transaction, three statements:

        1. insert the keyed participant hash — ``ON CONFLICT DO NOTHING`` on the (poll,
           voter) primary key, so a second answer inserts nothing (and a concurrent first
           one is waited for) and is refused;
        2. add 1 to the poll's response counter, only while it is open — this takes the poll
           row's lock, which serialises answers with each other and with the close;
        3. add 1 to the chosen answer's counter with ``count = count + 1`` in the database,
           never read-modify-write. The statement touches *every* answer row of the poll
           (adding 0 to the others), so on PostgreSQL they all carry the same transaction id
           afterwards and row versions do not tell which answer the last voter gave.

        The poll's lock is taken last so it is held for two statements and the commit.
        Raises :class:`PollClosed` or :class:`AlreadyAnswered`; the caller must roll back.
        """
        if not 0 <= option < len(poll.options):
            raise ValueError("no such answer")
        if poll.secret is None:
            raise PollClosed
        voter = voter_key(poll.secret, team_id=self.team.id, poll_id=poll.id, user_id=user_id)
        row = {"poll_id": poll.id, "voter": voter, "team_id": self.team.id}
        dialect = self.session.get_bind().dialect.name
        statement = (
            pg_insert(_participants).values(row).on_conflict_do_nothing()
            if dialect == "postgresql"
            else sqlite_insert(_participants).values(row).on_conflict_do_nothing()
        )
        inserted = cast("CursorResult[Any]", await self.session.execute(statement))
        if inserted.rowcount != 1:
            raise AlreadyAnswered
        responses = await self.session.scalar(
            update(_polls)
            .where(
                _polls.c.id == poll.id,
                _polls.c.team_id == self.team.id,
                _polls.c.status == "open",
            )
            .values(responses=_polls.c.responses + 1)
            .returning(_polls.c.responses)
        )
        if responses is None:
            raise PollClosed
        await self.session.execute(
            update(_counts)
            .where(_counts.c.poll_id == poll.id, _counts.c.team_id == self.team.id)
            .values(count=_counts.c.count + case((_counts.c.option == option, 1), else_=0))
        )
        return int(responses)

    async def tally(self, poll: PulsePoll) -> Tally:
        rows = (
            await self.session.execute(
                select(_counts.c.option, _counts.c.count)
                .where(_counts.c.poll_id == poll.id, _counts.c.team_id == self.team.id)
                .order_by(_counts.c.option)
            )
        ).all()
        counts = [0] * len(poll.options)
        for option, count in rows:
            if 0 <= option < len(counts):
                counts[option] = int(count)
        return Tally(tuple(poll.options), tuple(counts))

    async def close(self, poll: PulsePoll, *, now: datetime) -> Closed | None:
        """Close an open poll: mark it closed, erase its secret and every participant hash,
        and return the final tally. ``None`` if it was already closed (closing is idempotent,
        so the deadline job and a creator's `pulse close` can race harmlessly)."""
        closed = await self.session.scalar(
            update(_polls)
            .where(
                _polls.c.id == poll.id,
                _polls.c.team_id == self.team.id,
                _polls.c.status == "open",
            )
            .values(status="closed", closed_at=now, secret=None)
            .returning(_polls.c.responses)
        )
        if closed is None:
            await self.session.refresh(poll)
            return None
        await self.session.execute(
            delete(_participants).where(
                _participants.c.poll_id == poll.id, _participants.c.team_id == self.team.id
            )
        )
        await self.session.refresh(poll)
        return Closed(poll, await self.tally(poll))

    # --- series ---------------------------------------------------------------------

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

    async def template_history(self) -> list[tuple[PulsePoll, Tally]]:
        """Closed polls asked from a template (weekly or one-off), oldest first, with their
        tallies — the raw material of the team's trend view."""
        rows = await self.session.scalars(
            select(PulsePoll)
            .where(
                PulsePoll.team_id == self.team.id,
                PulsePoll.status == "closed",
                PulsePoll.template.is_not(None),
            )
            .order_by(PulsePoll.closes_at, PulsePoll.number)
        )
        return [(p, await self.tally(p)) for p in list(rows)]
