"""The chaos scenario, shared by ``tests/chaos`` (short) and ``benchmarks/chaos.py`` (full):
three real instances (subprocesses) on the real PostgreSQL deliver reminders due at once to
the chaos platform while it fails 10 % of requests, loses 3 % of answers and storms 429s
for 5 seconds; one instance's clock is 60 s ahead and one 60 s behind; the lane's holder is
SIGSTOPped, and a random instance is SIGKILLed and restarted."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as wall
from pathlib import Path

from sqlalchemy import func, select, text

from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import OutboxRow
from bot.scheduling.rules import DailyLocal
from tests.chaos.platform import ChaosPlatform
from tests.scheduling.bulk import seed_due

ROOT = Path(__file__).resolve().parents[2]
WAITING = ("pending", "retry", "claimed", "sending")


@dataclass
class ChaosConfig:
    mode: str = "slack"
    people: int = 600
    limit: int = 5  # the platform's limit per second on the lane (also the configured rate)
    storm_at: float = 4.0
    storm_seconds: float = 5.0
    stop_at: float = 15.0
    stop_seconds: float = 40.0
    kill_at: float = 30.0
    lease_ttl: float = 10.0
    skews: tuple[float, ...] = (0.0, 60.0, -60.0)
    timeout: float = 420.0
    seed: int = 14


@dataclass
class ChaosReport:
    config: ChaosConfig
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    peak: int = 0
    after_storm_429: int = 0
    storm_429: int = 0
    within: dict[int, float] = field(default_factory=dict)  # seconds → share of people
    elapsed: float = 0.0
    events: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.config
        shares = ", ".join(f"{s}s: {share:.1%}" for s, share in sorted(self.within.items()))
        return [
            f"chaos ({c.mode}-like, {len(c.skews)} instances): {c.people} people, "
            f"{self.delivered} delivered, {self.lost} lost, {self.duplicated} duplicated",
            f"  peak {self.peak} requests in one second against a limit of {c.limit}; "
            f"{self.storm_429} × 429 in the {c.storm_seconds:g}s storm, "
            f"{self.after_storm_429} after it",
            f"  on time (from the due instant): {shares}; all done in {self.elapsed:.0f}s",
            "  events: " + "; ".join(self.events),
        ]


class Fleet:
    def __init__(self, url: str, platform: ChaosPlatform, config: ChaosConfig) -> None:
        self.url, self.platform, self.config = url, platform, config
        self.workers: dict[str, subprocess.Popen[str]] = {}
        self.skew: dict[str, float] = {}
        self.stopped: set[str] = set()
        self.generation = 0

    async def start(self, name: str, skew: float) -> None:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.chaos.worker",
                self.url,
                self.platform.url,
                "--instance",
                name,
                "--mode",
                self.config.mode,
                "--rate",
                str(self.config.limit),
                "--skew",
                str(skew),
                "--lease-ttl",
                str(self.config.lease_ttl),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert process.stdout is not None
        line = await asyncio.to_thread(process.stdout.readline)
        assert line.strip() == "ready", f"worker {name} did not start: {line!r}"
        self.workers[name], self.skew[name] = process, skew

    async def close(self) -> None:
        for name, process in self.workers.items():
            if name in self.stopped:
                os.kill(process.pid, signal.SIGCONT)
            if process.poll() is None:
                process.terminate()
        for process in self.workers.values():
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()


async def _holder(db: Database) -> str | None:
    async with db.uow() as uow:
        return await uow.session.scalar(
            text("SELECT holder FROM lane_leases WHERE expires_at > clock_timestamp() LIMIT 1")
        )


async def _waiting(db: Database) -> int:
    async with db.uow() as uow:
        query = select(func.count()).select_from(OutboxRow).where(OutboxRow.status.in_(WAITING))
        return int(await uow.session.scalar(query) or 0)


async def _stop_holder(db: Database, fleet: Fleet, report: ChaosReport, started: float) -> None:
    holder = None
    for _ in range(20):
        holder = await _holder(db)
        if holder in fleet.workers:
            break
        await asyncio.sleep(0.25)
    name = holder if holder in fleet.workers else next(iter(fleet.workers))
    os.kill(fleet.workers[name].pid, signal.SIGSTOP)
    fleet.stopped.add(name)
    report.events.append(
        f"t={time.monotonic() - started:.0f}s SIGSTOP {name} (the lane's holder) "
        f"for {fleet.config.stop_seconds:g}s"
    )
    await asyncio.sleep(fleet.config.stop_seconds)
    os.kill(fleet.workers[name].pid, signal.SIGCONT)
    fleet.stopped.discard(name)


async def _kill_one(fleet: Fleet, report: ChaosReport, started: float, rng: random.Random) -> None:
    candidates = sorted(set(fleet.workers) - fleet.stopped)
    name = rng.choice(candidates)
    process = fleet.workers.pop(name)
    os.kill(process.pid, signal.SIGKILL)
    await asyncio.to_thread(process.wait)
    fleet.generation += 1
    report.events.append(
        f"t={time.monotonic() - started:.0f}s SIGKILL {name}, restarted as {name}{fleet.generation}"
    )
    await fleet.start(f"{name}{fleet.generation}", fleet.skew[name])


async def run_chaos(database_url: str, config: ChaosConfig) -> ChaosReport:
    """Seed, start the fleet, inject the faults, wait until every reminder is out (or the
    timeout), then count what the platform received."""
    report = ChaosReport(config)
    rng = random.Random(config.seed)
    platform = ChaosPlatform(mode=config.mode, limit=config.limit, seed=config.seed)
    await platform.start()
    db = Database(database_url)
    fleet = Fleet(database_url, platform, config)
    try:
        names = "abcdefgh"
        for index, skew in enumerate(config.skews):
            await fleet.start(names[index], skew)
        report.events.append(
            "clock skews " + ", ".join(f"{n} {s:+g}s" for n, s in fleet.skew.items())
        )
        due = datetime.now(UTC).replace(microsecond=0)
        await seed_due(
            db,
            count=config.people,
            due=due,
            kind="logoff.remind",
            teams=1,
            platform=config.mode,
            rule=DailyLocal(wall(due.hour, due.minute), workdays_only=False),
            data={"mode": "fixed"},
        )
        started = time.monotonic()
        due_at = due.timestamp()

        async def storm() -> None:
            await asyncio.sleep(config.storm_at)
            platform.storm(config.storm_seconds)
            report.events.append(f"t={config.storm_at:g}s 429 storm for {config.storm_seconds:g}s")

        async def stop() -> None:
            await asyncio.sleep(config.stop_at)
            await _stop_holder(db, fleet, report, started)

        async def kill() -> None:
            await asyncio.sleep(config.kill_at)
            await _kill_one(fleet, report, started, rng)

        faults = [asyncio.create_task(f()) for f in (storm, stop, kill)]
        while time.monotonic() - started < config.timeout:
            done = len(platform.delivered) >= config.people and not await _waiting(db)
            if done and all(f.done() for f in faults):
                break
            await asyncio.sleep(0.5)
        report.elapsed = (
            max((t for times in platform.delivered.values() for t in times), default=due_at)
            - due_at
        )
        await asyncio.sleep(3)  # a stalled instance that woke up has had its chance to misbehave
        for task in faults:
            task.cancel()
    finally:
        await fleet.close()
        await db.dispose()
        await platform.stop()
    firsts = [min(times) - due_at for times in platform.delivered.values()]
    report.delivered = len(platform.delivered)
    report.lost = config.people - report.delivered
    report.duplicated = sum(1 for times in platform.delivered.values() if len(times) > 1)
    report.peak = platform.peak()
    report.storm_429 = sum(
        1
        for h in platform.hits
        if h.status == 429 and platform.storm_from <= h.at < platform.storm_until
    )
    report.after_storm_429 = platform.limited_after_storm()
    late = [h for h in platform.hits if h.status == 429 and h.at >= platform.storm_until]
    if late:
        report.events.append(
            "429s after the storm at "
            + ", ".join(f"t={h.at - due_at:.1f}s ({h.sender})" for h in late[:10])
        )
    report.within = {s: sum(1 for f in firsts if f <= s) / config.people for s in (60, 180, 300)}
    return report
