"""The dispatcher: claims due schedules in batches, applies the member's rules, calls the job
handlers, writes their effects to the outbox and advances ``next_due_at`` — one transaction
per batch, so a firing is enqueued exactly once however many instances run.

Each step has its module: claiming (``claims``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
the verdict on each firing (``verdict``, with the working window of ``window``), running
the job (``firing``), the outbox write (``outbox``) and advancing the schedules
(``advance``). This module holds the batch together and its transaction boundaries. It runs
jobs through a :class:`~bot.scheduling.runner.JobRunner` (the kernel's ``Bot`` is one).

A batch that fails (a bug in one handler) is retried one schedule per transaction, so one
bad row is skipped and logged instead of blocking everyone behind it.
"""

from __future__ import annotations

import asyncio
import logging
import time as _time
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.delivery.metrics import DISPATCH_SECONDS, SKIPPED
from bot.domain.dm_decision import Verdict
from bot.domain.schedule_rules import Once
from bot.kernel.storage.models import Team
from bot.kernel.storage.uow import UnitOfWork
from bot.scheduling import advance as advancing
from bot.scheduling.advance import Advance
from bot.scheduling.api import DISPATCHING, member_rules
from bot.scheduling.claims import Claim, ClaimedSchedule, MemberRow, claim, load_teams
from bot.scheduling.firing import SKIP_ACTION, run_job, with_skip_button
from bot.scheduling.outbox import hold, insert_outbox, outbox_rows
from bot.scheduling.runner import JobRunner
from bot.scheduling.verdict import judge, zone_of
from bot.scheduling.window import WindowTally, record_counts

__all__ = ["SKIP_ACTION", "DispatchStats", "Dispatcher", "with_skip_button"]

log = logging.getLogger(__name__)


@dataclass
class DispatchStats:
    claimed: int = 0
    fired: int = 0
    enqueued: int = 0
    skipped: Tally[str] = field(default_factory=Tally)
    errors: int = 0

    def add(self, other: DispatchStats) -> None:
        self.claimed += other.claimed
        self.fired += other.fired
        self.enqueued += other.enqueued
        self.skipped.update(other.skipped)
        self.errors += other.errors


@dataclass
class _Batch:
    """What one batch's firings come to, written together before its commit."""

    stats: DispatchStats
    outbox: list[dict[str, Any]] = field(default_factory=list)
    advances: list[Advance] = field(default_factory=list)
    moved: list[ClaimedSchedule] = field(default_factory=list)
    tally: WindowTally = field(default_factory=WindowTally)


class Dispatcher:
    """Turns due schedules into outbox rows. ``run(now)`` dispatches everything due."""

    def __init__(
        self,
        runner: JobRunner,
        *,
        batch_size: int = 1000,
        grace: timedelta | None = None,
        delivery_deadline: timedelta = timedelta(hours=1),
        parallel: int = 2,
    ) -> None:
        self.runner = runner
        self.batch_size = batch_size
        self.parallel = max(1, parallel)
        self.grace = grace or timedelta(minutes=runner.settings.misfire_grace_minutes)
        self.delivery_deadline = delivery_deadline
        # Set by the engine's stop(): the batch in progress commits, no further one starts.
        self.stopping = False

    @property
    def postgres(self) -> bool:
        return self.runner.db.is_postgres

    async def run(self, now: datetime) -> DispatchStats:
        """Dispatch every schedule due at or before ``now``, batch after batch."""
        # One claim first: an idle tick (nothing due) costs one query, not one per claimer.
        total = await self._batch(now)
        if total.claimed >= self.batch_size and not self.stopping:
            # On PostgreSQL two claimers overlap one batch's database round trips with the
            # next batch's Python work (SKIP LOCKED keeps them apart); SQLite has one writer.
            workers = self.parallel if self.postgres else 1
            for stats in await asyncio.gather(*(self._drain(now) for _ in range(workers))):
                total.add(stats)
        if total.claimed:
            log.info(
                "dispatched %d due schedules: %d fired, %d outbox rows, skipped %s, %d errors",
                total.claimed,
                total.fired,
                total.enqueued,
                dict(total.skipped) or "none",
                total.errors,
            )
        return total

    async def _drain(self, now: datetime) -> DispatchStats:
        total = DispatchStats()
        while True:
            stats = await self._batch(now)
            total.add(stats)
            if stats.claimed < self.batch_size or self.stopping:
                return total

    # --- transactions ----------------------------------------------------------------------

    async def _batch(self, now: datetime) -> DispatchStats:
        started = _time.perf_counter()
        ids: list[int] = []
        try:
            async with self.runner.db.uow() as uow:
                claimed = await claim(uow, now, limit=self.batch_size, postgres=self.postgres)
                if not claimed:
                    return DispatchStats()
                ids = [schedule.id for schedule, _ in claimed]
                stats = await self._process(uow, claimed, now)
                await uow.commit()
        except Exception:
            if not ids:
                raise
            log.exception("a dispatcher batch of %d failed; retrying one by one", len(ids))
            stats = await self._isolate(ids, now)
        DISPATCH_SECONDS.observe(_time.perf_counter() - started)
        return stats

    async def _isolate(self, ids: list[int], now: datetime) -> DispatchStats:
        total = DispatchStats()
        for schedule_id in ids:
            try:
                async with self.runner.db.uow() as uow:
                    claimed = await self._claim_one(uow, now, schedule_id)
                    if not claimed:
                        continue
                    stats = await self._process(uow, claimed, now)
                    await uow.commit()
                total.add(stats)
            except Exception as error:
                total.claimed += 1
                total.errors += 1
                await self._give_up(schedule_id, now, error)
        return total

    async def _give_up(self, schedule_id: int, now: datetime, error: Exception) -> None:
        """Skip this firing of a schedule whose handler fails, so it cannot block the queue."""
        already = isinstance(error, IntegrityError)
        if not already:
            log.error("schedule %d: job failed, skipping this firing (%r)", schedule_id, error)
        async with self.runner.db.uow() as uow:
            for schedule, member in await self._claim_one(uow, now, schedule_id):
                team = await uow.session.get(Team, schedule.team_id)
                assert team is not None
                rules = member_rules(member, team) if member is not None else None
                advancing.advance(schedule, rules, now, grace=self.grace)
                await advancing.save(
                    uow, [schedule], postgres=self.postgres, clock=self.runner.clock
                )
                SKIPPED.labels("enqueued_already" if already else "job_error", schedule.kind).inc()
            await uow.commit()

    async def _claim_one(self, uow: UnitOfWork, now: datetime, schedule_id: int) -> list[Claim]:
        return await claim(uow, now, limit=1, postgres=self.postgres, schedule_id=schedule_id)

    # --- one batch, inside its transaction -------------------------------------------------

    async def _process(self, uow: UnitOfWork, claimed: list[Claim], now: datetime) -> DispatchStats:
        batch = _Batch(DispatchStats(claimed=len(claimed)))
        uow.session.info[DISPATCHING] = True
        teams = await load_teams(uow, {schedule.team_id for schedule, _ in claimed})
        for schedule, member in claimed:
            await self._firing(uow, batch, schedule, member, teams[schedule.team_id], now)
        await self._write(uow, batch, now)
        return batch.stats

    async def _firing(
        self,
        uow: UnitOfWork,
        batch: _Batch,
        schedule: ClaimedSchedule,
        member: MemberRow | None,
        team: Team,
        now: datetime,
    ) -> None:
        """Judge one claimed firing and, when it goes out, run its job into the batch."""
        assert schedule.next_due_at is not None
        rules = member_rules(member, team) if member is not None else None
        local_due = schedule.next_due_at.astimezone(zone_of(schedule, rules, team))
        handler = self.runner.router.jobs.get(schedule.kind)
        verdict = judge(
            schedule,
            member,
            rules,
            team,
            local_due=local_due,
            now=now,
            grace=self.grace,
            has_handler=handler is not None,
        )
        if verdict.moved_to is not None:
            # Moved (a one-off in quiet hours): not fired, due again when they end.
            schedule.next_due_at = verdict.moved_to
            batch.moved.append(schedule)
            batch.stats.skipped["moved"] += 1
            return
        if verdict.reason is not None:
            batch.stats.skipped[verdict.reason] += 1
            SKIPPED.labels(verdict.reason, schedule.kind).inc()
        elif handler is not None:
            due, effects = await run_job(
                self.runner, uow, handler, schedule, member, team, local_due=local_due
            )
            rows = outbox_rows(
                schedule, member, team, due, effects, now=now, deadline=self.delivery_deadline
            )
            window = verdict.window
            if window is not None:
                until = window.at if window.verdict is Verdict.MOVE else None
                dms = hold(rows, until, deadline=self.delivery_deadline)
                day = (until or due.due_at).astimezone(UTC).date()
                batch.tally[(team.id, day, verdict.category)] += dms
            batch.outbox.extend(rows)
            batch.stats.fired += 1
            batch.stats.enqueued += len(rows)
        batch.advances.append((schedule, rules, verdict.stops))
        if verdict.dropped is not None and isinstance(schedule.rule, Once):
            # A dropped one-off: the reason stays on the row for `logoff` to show.
            schedule.stopped = f"dropped:{verdict.dropped.reason}"

    async def _write(self, uow: UnitOfWork, batch: _Batch, now: datetime) -> None:
        """The batch's writes, in order: advances, moves, outbox rows, window counts."""
        advancing.apply_advances(uow, batch.advances, now, grace=self.grace)
        clock = self.runner.clock
        advanced = [schedule for schedule, _, _ in batch.advances]
        await advancing.save(uow, advanced, postgres=self.postgres, clock=clock)
        for schedule in batch.moved:
            await advancing.move(uow, schedule, clock=clock)
        if batch.outbox:
            await insert_outbox(uow, batch.outbox, postgres=self.postgres)
        if batch.tally:
            await record_counts(uow, batch.tally, postgres=self.postgres)
