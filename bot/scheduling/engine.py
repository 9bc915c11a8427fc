"""The engine the shell runs: a dispatcher plus one sender per lane, driven either by an
APScheduler tick (``start``) or step by step (``next_due_at`` / ``run_due``, for the console's
``:advance`` and for tests with a fake clock).

It runs jobs through a :class:`~bot.scheduling.runner.JobRunner` — the composition root
passes the kernel's ``Bot`` — and implements the shell's ``bot.kernel.services.Engine``.
``stop()`` lets a tick in progress finish (its batch commits, no further batch starts)
rather than cancel it in the middle of a transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import socket
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from bot.delivery.dbclock import DatabaseClock
from bot.delivery.notifier import Notifier, WildcardNotifier
from bot.delivery.sender import LaneSender, SenderConfig, Sleep
from bot.delivery.transitions import WAITING_STATUSES
from bot.kernel.storage.availability import is_database_unavailable
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import Deployment, OutboxRow, Schedule
from bot.scheduling.dispatcher import Dispatcher, DispatchStats
from bot.scheduling.probe import WorkProbe, utc
from bot.scheduling.runner import JobRunner

__all__ = [
    "SchedulingEngine",
    "build_engine",
    "default_instance_id",
    "freeze_startup_heap",
    "purge_outbox",
]

log = logging.getLogger(__name__)

# Delivered rows are the delivery log (which days a reminder went out, for the dashboard's
# 30-day view); older ones are removed.
OUTBOX_RETENTION = timedelta(days=45)
PURGE_EVERY = timedelta(hours=1)


def freeze_startup_heap() -> None:
    """Move everything allocated so far (imported modules, settings, the router) out of the
    garbage collector's sight. Those objects live as long as the process, yet every full
    collection walks them; under a dispatcher batch that allocates heavily this costs about
    a fifth of the time. Called once when a long-running process starts its engine."""
    gc.collect()
    gc.freeze()


def default_instance_id() -> str:
    """host:pid:random — unique per process, readable in the lane_leases table."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SchedulingEngine:
    """Implements ``bot.kernel.services.Engine``."""

    def __init__(
        self,
        runner: JobRunner,
        *,
        instance_id: str | None = None,
        sleep: Sleep | None = None,
        dispatch: bool = True,
        send: bool = True,
        batch_size: int = 1000,
        sender_config: SenderConfig | None = None,
        tick_seconds: float | None = None,
        delivery_deadline: timedelta = timedelta(hours=1),
    ) -> None:
        self.runner = runner
        self.instance_id = instance_id or runner.settings.instance_id or default_instance_id()
        self.sleep: Sleep = sleep or asyncio.sleep
        self.dispatch_enabled = dispatch
        self.send_enabled = send
        self.dispatcher = Dispatcher(
            runner, batch_size=batch_size, delivery_deadline=delivery_deadline
        )
        self.sender_config = sender_config or SenderConfig()
        # Due and expiry decisions follow the database's clock (leases are judged by the
        # database itself); a fake clock in tests and the console is used as it is.
        self.db: Database = runner.db
        self.clock = DatabaseClock(runner.clock, self.db)
        self.probe = WorkProbe(self.db)
        self.tick_seconds = tick_seconds or runner.settings.tick_seconds
        self._notifiers: dict[str, Notifier] = {}
        self._wildcards: dict[str, WildcardNotifier] = {}
        self._senders: dict[str, LaneSender] = {}
        self._workers: dict[str, asyncio.Task[int]] = {}
        self._scheduler: Any = None
        self._tick_lock = asyncio.Lock()
        self._ticking: asyncio.Task[None] | None = None  # the scheduler's tick in progress
        self._purged_at: datetime | None = None
        self._stopping = False
        self._in_flight = asyncio.Semaphore(self.sender_config.max_in_flight)
        self._database_away = False
        self.stop_grace = 0.0  # seconds stop() waits for busy senders (crossfade run: 2)

    # --- notifiers and lanes -------------------------------------------------------------------

    def add_notifier(self, notifier: Any) -> None:
        """Register the notifier for ``notifier.lane`` (``slack:*`` registers a wildcard that
        must offer ``for_lane(lane)``)."""
        lane = str(notifier.lane)
        if lane.endswith(":*"):
            if not hasattr(notifier, "for_lane"):
                raise TypeError(f"a wildcard notifier ({lane}) needs a for_lane(lane) method")
            self._wildcards[lane[:-2]] = notifier
        else:
            self._notifiers[lane] = notifier
        self._senders.pop(lane, None)

    def serves(self, lane: str) -> bool:
        return lane in self._notifiers or lane.split(":", 1)[0] in self._wildcards

    def sender(self, lane: str) -> LaneSender | None:
        """The lane's sender (created on first use; it keeps the lane's rate-limit state)."""
        existing = self._senders.get(lane)
        if existing is not None:
            return existing
        notifier = self._notifiers.get(lane)
        if notifier is None:
            wildcard = self._wildcards.get(lane.split(":", 1)[0])
            if wildcard is None:
                return None
            notifier = wildcard.for_lane(lane)
        sender = LaneSender(
            host=self.runner,
            notifier=notifier,
            lane=lane,
            holder=self.instance_id,
            clock=self.clock,
            sleep=self.sleep,
            config=self.sender_config,
            in_flight=self._in_flight,
        )
        self._senders[lane] = sender
        return sender

    async def _pending_lanes(self, *, due_by: datetime | None = None) -> dict[str, datetime]:
        """Lanes with pending rows → their earliest ``not_before``."""
        async with self.db.uow() as uow:
            query = (
                select(OutboxRow.lane, func.min(OutboxRow.not_before))
                .where(OutboxRow.status.in_(WAITING_STATUSES))
                .group_by(OutboxRow.lane)
            )
            if due_by is not None:
                query = query.where(OutboxRow.not_before <= due_by)
            rows = await uow.session.execute(query)
            return {lane: earliest for lane, earliest in rows if self.serves(lane)}

    # --- stepping (console, tests) -------------------------------------------------------------

    async def next_due_at(self) -> datetime | None:
        """The earliest instant at which a schedule falls due or a lane can send again."""
        candidates: list[datetime] = []
        if self.dispatch_enabled:
            async with self.db.uow() as uow:
                earliest = await uow.session.scalar(select(func.min(Schedule.next_due_at)))
            if earliest is not None:
                candidates.append(utc(earliest))
        if self.send_enabled:
            for lane, earliest in (await self._pending_lanes()).items():
                sender = self._senders.get(lane)
                ready = utc(earliest)
                if sender is not None and sender.ready_at is not None:
                    ready = max(ready, sender.ready_at)
                candidates.append(ready)
        return min(candidates) if candidates else None

    async def run_due(self) -> None:
        """Dispatch everything due at the clock's now, then drain every lane once (without
        sleeping: a lane that must wait reports when through ``next_due_at``)."""
        await self._prepare()
        if self.dispatch_enabled:
            await self.dispatch()
        if self.send_enabled:
            for lane in await self._pending_lanes(due_by=self.clock.now()):
                sender = self.sender(lane)
                if sender is not None:
                    await sender.drain(wait=False)

    async def dispatch(self) -> DispatchStats:
        return await self.dispatcher.run(self.clock.now())

    async def _prepare(self) -> None:
        """Follow the database's clock; read the deployment's salt for idempotency keys
        (once: it never changes)."""
        await self.clock.sync()
        if self.sender_config.salt:
            return
        async with self.db.uow() as uow:
            salt = await uow.session.scalar(select(Deployment.salt).where(Deployment.id == 1))
        if salt:
            self.sender_config = replace(self.sender_config, salt=salt)
            self._senders.clear()

    # --- long-running ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Tick every ``tick_seconds`` (APScheduler, one job per process, never overlapping)."""
        if self._scheduler is not None:
            return
        self._stopping = self.dispatcher.stopping = False
        for sender in self._senders.values():
            sender.stopping = False
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        freeze_startup_heap()
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(
            self._scheduled_tick,
            "interval",
            seconds=self.tick_seconds,
            id="crossfade-tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),  # APScheduler runs on real time
        )
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduling engine %s ticking every %.1fs", self.instance_id, self.tick_seconds)

    async def _scheduled_tick(self) -> None:
        # APScheduler cancels the job it is running when it shuts down. A tick cancelled in
        # the middle of a query would roll its batch back and leave SQLAlchemy to log the
        # interrupted connection with a traceback; so the tick is a task of its own, which
        # that cancel does not reach, and stop() waits for it.
        ticking = asyncio.create_task(self.tick(), name="crossfade-tick")
        self._ticking = ticking
        try:
            await asyncio.shield(ticking)
        except asyncio.CancelledError:
            log.debug("scheduler shut down during a tick; the tick finishes on its own")

    async def tick(self) -> None:
        """One tick: dispatch what is due, and make sure every lane with due rows has a
        worker (one per lane in this process; the lease keeps it one across processes)."""
        if self._stopping:
            return
        async with self._tick_lock:
            try:
                await self._prepare()
                due, waiting = await self._work_to_do(self.clock.now())
                if due:
                    # rows it enqueues go out in this tick, not the next
                    enqueued = (await self.dispatch()).enqueued
                    waiting = waiting or (self.send_enabled and enqueued > 0)
                if waiting and not self._stopping:  # (stopping: no new senders)
                    for lane in await self._pending_lanes(due_by=self.clock.now()):
                        self._ensure_worker(lane)
                await self._purge_now_and_then()
            except Exception as error:
                if not is_database_unavailable(error):
                    log.exception("scheduling tick failed; the next tick retries")
                elif not self._database_away:
                    # One line when the outage starts, one when it ends: not a traceback
                    # every tick for a minute.
                    log.warning("database unavailable; ticks retry until it is back (%s)", error)
                self._database_away = is_database_unavailable(error)
            else:
                if self._database_away:
                    log.warning("database reachable again; scheduling resumed")
                self._database_away = False

    async def _work_to_do(self, now: datetime) -> tuple[bool, bool]:
        """Is a schedule due, is an outbox row waiting? (one round trip: ``WorkProbe``)"""
        if not (self.dispatch_enabled or self.send_enabled):
            return False, False
        first_due, first_ready = await self.probe.earliest()
        return (
            self.dispatch_enabled and first_due is not None and first_due <= now,
            self.send_enabled and first_ready is not None and first_ready <= now,
        )

    async def _purge_now_and_then(self) -> None:
        now = self.clock.now()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        removed = await purge_outbox(self.db, older_than=now - OUTBOX_RETENTION)
        if removed:
            log.info("removed %d delivered outbox rows older than %s", removed, OUTBOX_RETENTION)

    def _ensure_worker(self, lane: str) -> None:
        worker = self._workers.get(lane)
        if worker is not None and not worker.done():
            return
        sender = self.sender(lane)
        if sender is None:
            return
        task = asyncio.create_task(self._work(sender), name=f"sender:{lane}")
        self._workers[lane] = task

    async def _work(self, sender: LaneSender) -> int:
        try:
            return await sender.drain(wait=True)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sender for lane %s failed; the next tick restarts it", sender.lane)
            return 0

    async def stop(self) -> None:
        """Stop ticking, let a tick in progress finish (its dispatch stops after the batch
        in progress, which commits), and end the lane workers (each releases its lease)."""
        self._stopping = self.dispatcher.stopping = True
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        # Wait for a tick that is running now to finish before stopping its workers.
        if self._ticking is not None:
            await asyncio.wait([self._ticking])
            self._ticking = None
        await self._tick_lock.acquire()
        self._tick_lock.release()
        workers = list(self._workers.values())
        for sender in self._senders.values():
            sender.stopping = True
        if workers and self.stop_grace > 0:
            # Let a sender finish the sends it has started; what it has not confirmed after
            # the grace stays pending (handed back) and its lease is released on cancel.
            await asyncio.wait(workers, timeout=self.stop_grace)
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._workers.clear()
        await self.probe.close()


async def purge_outbox(db: Database, *, older_than: datetime) -> int:
    """Delete finished outbox rows created before ``older_than``; returns how many."""
    async with db.uow() as uow:
        result = await uow.session.execute(
            delete(OutboxRow)
            .where(OutboxRow.status.not_in(WAITING_STATUSES), OutboxRow.created_at < older_than)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def build_engine(runner: JobRunner) -> SchedulingEngine:
    """The engine for the shell (``bot.bootstrap.build`` passes the bot)."""
    return SchedulingEngine(runner)
