"""The pulse's polls in the database, scoped by team: :class:`Pulses`, reached with
``ctx.store(Pulses)``. Weekly series and pulses held for their asker's working window have
their own stores (:mod:`bot.features.pulse.series_store`).

The two writes that matter for anonymity and for concurrency live here:
:meth:`Pulses.record_answer` and :meth:`Pulses.close`.

An answer locks the open poll's row without writing it (``SELECT … FOR NO KEY UPDATE``), the
close takes the same lock with its conditional ``UPDATE … WHERE status = 'open'``, so on every
database an answer either lands before the close (and is counted) or finds the poll closed.
Ballots are sealed with ``bot.security.ballots``; only the close opens them, in memory.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult

from bot.features.pulse.anonymity import voter_key
from bot.features.pulse.models import (
    PulseAsker,
    PulseBallot,
    PulseCount,
    PulseParticipant,
    PulsePoll,
    PulsePollKey,
)
from bot.features.pulse.spec import PollSpec
from bot.features.pulse.tally import Tally
from bot.kernel.events import Place
from bot.kernel.storage.store import Store
from bot.security.ballots import (
    PollKeys,
    Unsealed,
    new_poll_keys,
    participation_mark,
    seal_ballot,
    unseal_ballots,
)
from bot.security.keys import get_server_keys

__all__ = ["AlreadyAnswered", "Closed", "KeyRetired", "PollClosed", "Pulses"]

log = logging.getLogger(__name__)

# Core tables for the statements that lock, update on a condition or delete in bulk.
_polls = cast(Table, PulsePoll.__table__)
_counts = cast(Table, PulseCount.__table__)
_participants = cast(Table, PulseParticipant.__table__)
_ballots = cast(Table, PulseBallot.__table__)
_keys = cast(Table, PulsePollKey.__table__)


class AlreadyAnswered(Exception):
    """This person has answered this poll before."""


class PollClosed(Exception):
    """The poll closed before this answer could be counted."""


class KeyRetired(Exception):
    """The server key this poll was opened under is no longer configured."""


@dataclass(frozen=True, slots=True)
class Closed:
    """What closing a poll produced: the final tally (always computed, shown only at k)."""

    poll: PulsePoll
    tally: Tally


class Pulses(Store):
    """The polls of one team: asking, answering, closing, and what may be shown of them."""

    # --- asking ---------------------------------------------------------------------

    async def create(
        self,
        spec: PollSpec,
        *,
        channel: Place,
        opened_at: datetime,
        closes_at: datetime,
        zone: str,
        asker: tuple[int, str] | None,
        template: str | None = None,
        series_id: int | None = None,
    ) -> PulsePoll:
        """A new open poll with its own key pair (the private key wrapped with the server
        key), posted to ``channel`` (a private channel's poll stays there). ``asker`` is
        (member id, name), ``None`` for a weekly pulse. Its number is the team's next; two
        polls created at once collide on the unique (team, number) and the loser's whole event
        is retried by the core."""
        keys = get_server_keys()
        poll = PulsePoll(
            team_id=self.team.id,
            number=await self._next_number(),
            question=spec.question,
            kind=spec.kind,
            options=list(spec.options),
            legend=spec.legend,
            channel_id=channel.id,
            channel_name=(channel.name or channel.id)[:200],
            zone=zone,
            status="open",
            opened_at=opened_at,
            closes_at=closes_at,
            responses=0,
            k=self.team.k_threshold,
            key_id=keys.current_id,
            private=channel.private,
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
        self._add_keys(poll, new_poll_keys(keys, team_id=self.team.id, poll_id=poll.id))
        return poll

    async def _next_number(self) -> int:
        highest = await self.session.scalar(
            select(func.coalesce(func.max(PulsePoll.number), 0)).where(
                PulsePoll.team_id == self.team.id
            )
        )
        return (highest or 0) + 1

    def _add_keys(self, poll: PulsePoll, pair: PollKeys) -> None:
        self.session.add(
            PulsePollKey(
                poll_id=poll.id,
                team_id=self.team.id,
                key_id=pair.key_id,
                public_key=pair.public_key,
                wrapped_key=pair.wrapped_private_key,
            )
        )

    # --- finding polls --------------------------------------------------------------

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
        """The team's latest ``limit`` polls: the open ones first, newest first in each."""
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

    async def open_of_series(self, series_id: int) -> list[PulsePoll]:
        """The polls of a weekly series that are still open (normally last week's, if any)."""
        rows = await self.session.scalars(
            select(PulsePoll).where(
                PulsePoll.team_id == self.team.id,
                PulsePoll.series_id == series_id,
                PulsePoll.status == "open",
            )
        )
        return list(rows)

    # --- answering ------------------------------------------------------------------

    async def record_answer(self, poll: PulsePoll, option: int, *, user_id: str) -> int:
        """Record one sealed answer and that ``user_id`` answered; returns how many have
        answered so far.

        One transaction, and nothing in it depends on the answer except the sealed ballot:

        1. check the poll is open and lock its row (``FOR NO KEY UPDATE``, which leaves the
           foreign-key checks of other answers alone; SQLite's write lock does the same):
           answers to one poll queue for a moment, so each sees the count before it, and an
           answer either lands before the close (and is counted) or finds the poll closed.
           The poll row is locked, not written;
        2. insert the keyed participation mark — ``ON CONFLICT DO NOTHING`` on the (poll,
           voter) primary key, so a second answer inserts nothing and is refused;
        3. insert the ballot: the answer sealed to the poll's public key, one length for
           every answer, under a random id.

        Raises :class:`PollClosed` or :class:`AlreadyAnswered`; the caller must roll back.
        """
        if not 0 <= option < len(poll.options):
            raise ValueError("no such answer")
        pair = await self.session.get(PulsePollKey, poll.id)
        if pair is None or pair.team_id != self.team.id:
            raise PollClosed
        still_open = await self.session.scalar(
            select(_polls.c.id)
            .where(
                _polls.c.id == poll.id,
                _polls.c.team_id == self.team.id,
                _polls.c.status == "open",
            )
            .with_for_update(key_share=True)
        )
        if still_open is None:
            raise PollClosed
        row = {"poll_id": poll.id, "voter": self._mark(poll, user_id), "team_id": self.team.id}
        dialect = self.session.get_bind().dialect.name
        statement = (
            pg_insert(_participants).values(row).on_conflict_do_nothing()
            if dialect == "postgresql"
            else sqlite_insert(_participants).values(row).on_conflict_do_nothing()
        )
        inserted = cast("CursorResult[Any]", await self.session.execute(statement))
        if inserted.rowcount != 1:
            raise AlreadyAnswered
        sealed = seal_ballot(pair.public_key, option, team_id=self.team.id, poll_id=poll.id)
        await self.session.execute(
            insert(_ballots).values(
                id=secrets.token_hex(16), poll_id=poll.id, team_id=self.team.id, sealed=sealed
            )
        )
        return await self.answered(poll)

    def _mark(self, poll: PulsePoll, user_id: str) -> str:
        if poll.secret is not None:  # a poll opened before sealed ballots
            return voter_key(poll.secret, team_id=self.team.id, poll_id=poll.id, user_id=user_id)
        try:
            return participation_mark(
                get_server_keys(),
                poll.key_id or "",
                team_id=self.team.id,
                poll_id=poll.id,
                user_id=user_id,
            )
        except KeyError:
            raise KeyRetired from None

    async def answered(self, poll: PulsePoll) -> int:
        """How many people have answered: the participation marks while the poll is open,
        the number counted at close afterwards."""
        if poll.status != "open":
            return poll.responses
        count = await self.session.scalar(
            select(func.count())
            .select_from(_participants)
            .where(_participants.c.poll_id == poll.id, _participants.c.team_id == self.team.id)
        )
        return int(count or 0)

    async def tally(self, poll: PulsePoll) -> Tally:
        """The totals written at close (all zero while open, or when fewer than k answered)."""
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

    # --- closing and results ----------------------------------------------------------

    async def close(self, poll: PulsePoll, *, now: datetime, k: int) -> Closed | None:
        """Close an open poll in one transaction: mark it closed, open its ballots in memory,
        write the totals only if at least ``k`` were counted (else only how many), and delete
        the ballots, the participation marks and the wrapped key. ``None`` if it was already
        closed (closing is idempotent, so the deadline job and `pulse close` can race)."""
        closed = await self.session.scalar(
            update(_polls)
            .where(
                _polls.c.id == poll.id,
                _polls.c.team_id == self.team.id,
                _polls.c.status == "open",
            )
            .values(status="closed", closed_at=now, secret=None)
            .returning(_polls.c.id)
        )
        if closed is None:
            await self.session.refresh(poll)
            return None
        result = await self._unseal(poll)
        counted = sum(result.counts)
        if counted >= k:
            await self.session.execute(
                insert(_counts),
                [
                    {"poll_id": poll.id, "option": i, "team_id": self.team.id, "count": c}
                    for i, c in enumerate(result.counts)
                ],
            )
        await self.session.execute(
            update(_polls)
            .where(_polls.c.id == poll.id)
            .values(responses=counted, unreadable=result.unreadable)
        )
        await self._erase_ballots(poll)
        if result.unreadable:
            # A count only: never which ballot, never what it held.
            log.warning(
                "pulse poll %s closed with %s ballot(s) that could not be opened",
                poll.id,
                result.unreadable,
            )
        await self.session.refresh(poll)
        return Closed(poll, await self.tally(poll))

    async def _unseal(self, poll: PulsePoll) -> Unsealed:
        """The poll's ballots opened in memory with its unwrapped key (nothing is written)."""
        sealed = (
            await self.session.scalars(select(_ballots.c.sealed).where(*self._ballots_of(poll)))
        ).all()
        pair = await self.session.get(PulsePollKey, poll.id)
        stored = (
            PollKeys(pair.key_id, pair.public_key, pair.wrapped_key)
            if pair is not None and pair.team_id == self.team.id
            else None
        )
        return unseal_ballots(
            get_server_keys(),
            stored,
            sealed,
            options=len(poll.options),
            team_id=self.team.id,
            poll_id=poll.id,
        )

    async def _erase_ballots(self, poll: PulsePoll) -> None:
        """Delete what only an open poll needs: the ballots, the marks and the wrapped key."""
        await self.session.execute(delete(_ballots).where(*self._ballots_of(poll)))
        await self.session.execute(
            delete(_participants).where(
                _participants.c.poll_id == poll.id, _participants.c.team_id == self.team.id
            )
        )
        await self.session.execute(delete(_keys).where(_keys.c.poll_id == poll.id))

    def _ballots_of(self, poll: PulsePoll) -> tuple[ColumnElement[bool], ...]:
        return (_ballots.c.poll_id == poll.id, _ballots.c.team_id == self.team.id)

    async def template_history(self) -> list[tuple[PulsePoll, Tally]]:
        """Closed polls asked from a template (weekly or one-off), oldest first, with their
        tallies — the raw material of the team's trend view."""
        rows = await self.session.scalars(
            select(PulsePoll)
            .where(
                PulsePoll.team_id == self.team.id,
                PulsePoll.status == "closed",
                PulsePoll.template.is_not(None),
                PulsePoll.private.is_(False),  # a private channel's polls stay there
            )
            .order_by(PulsePoll.closes_at, PulsePoll.number)
        )
        return [(p, await self.tally(p)) for p in list(rows)]
