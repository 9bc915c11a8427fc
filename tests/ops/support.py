"""Run the real ``crossfade`` console script in a subprocess, in a clean directory and
environment, as an operator would."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select, update

from bot.delivery.codec import effect_to_json
from bot.delivery.notifier import lane_for
from bot.kernel.effects import SendDirect, UserRef
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import LaneLease, OutboxRow, Schedule
from bot.kernel.ui import Message
from tests.scheduling.bulk import seed_due

ROOT = Path(__file__).resolve().parents[2]
CROSSFADE = str(Path(sys.executable).parent / "crossfade")
# Variables a developer's shell might carry that would change what the bot does.
_PREFIXES = ("SLACK_", "DISCORD_", "CROSSFADE_", "DATABASE_URL", "LOG_", "PORT", "METRICS_")


# A fixed server key for runs on PostgreSQL (which refuse to start without one).
SERVER_KEY = "q1y0sGbZ2d5ZxJ0Ck4p0o8W2Yk3H6l9m0n2b4v6c8x0="


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PREFIXES)}
    env.update(values)
    return env


def crossfade(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60, **kw: Any
) -> subprocess.CompletedProcess[str]:
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [CROSSFADE, *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """The run failed with ``code``, printed exactly one line on stderr containing every
    needle, and no traceback anywhere."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == code, (result.returncode, output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a running bot and its database -----------------------------------------------------


async def start_bot(cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        CROSSFADE,
        "run",
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process, *, within: float = 10.0) -> str:
    """SIGTERM, then the exit code must be 0 within ``within`` seconds; returns stderr."""
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    _, err = await asyncio.wait_for(process.communicate(), within)
    elapsed = time.monotonic() - started
    text = err.decode()
    assert process.returncode == 0, (process.returncode, text[-3000:])
    assert elapsed < within and "Traceback" not in text, text[-3000:]
    return text


async def http_get(
    url: str, *, within: float = 20.0, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """GET ``url`` as soon as something answers there."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url, headers=headers) as response:
                    return response.status, await response.text()
            except aiohttp.ClientConnectionError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def seed_direct_messages(
    url: str,
    *,
    platform: str,
    workspace: str,
    users: list[str],
    due_in: timedelta = timedelta(seconds=-1),
) -> None:
    """A migrated database whose outbox holds one pending DM for each of ``users`` (a team
    of ``platform``/``workspace``), as the dispatcher would have written them."""
    db = Database(url)
    await db.upgrade()
    now = datetime.now(UTC)
    await seed_due(
        db, count=len(users), due=now + timedelta(days=30), kind="ops-test", platform=platform
    )
    lane = lane_for(platform, workspace)
    async with db.uow() as uow:
        session = uow.session
        await session.execute(update(Team).values(workspace_id=workspace))
        rows = (
            await session.execute(
                select(Schedule.id, Schedule.member_id, Schedule.team_id).order_by(Schedule.id)
            )
        ).all()
        for (schedule_id, member_id, team_id), user in zip(rows, users, strict=True):
            await session.execute(
                update(Member).where(Member.id == member_id).values(platform_user_id=user)
            )
            effect = SendDirect(UserRef(platform, workspace, user), Message(f"hello {user}"))
            session.add(
                OutboxRow(
                    team_id=team_id,
                    member_id=member_id,
                    schedule_id=schedule_id,
                    kind="ops-test",
                    due_at=now,
                    lane=lane,
                    effect=effect_to_json(effect),
                    not_before=now + due_in,
                    expires_at=now + timedelta(hours=1),
                )
            )
        await uow.commit()
    await db.dispose()


async def outbox_counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.uow() as uow:
            result = await uow.session.execute(
                select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
            )
            return {status: int(count) for status, count in result.all()}
    finally:
        await db.dispose()


async def live_leases(url: str) -> list[str]:
    """Lanes whose lease is still held (a clean stop releases them)."""
    db = Database(url)
    try:
        async with db.uow() as uow:
            now = datetime.now(UTC).replace(tzinfo=None)
            rows = await uow.session.execute(select(LaneLease.lane, LaneLease.expires_at))
            return [lane for lane, expires in rows.all() if expires.replace(tzinfo=None) > now]
    finally:
        await db.dispose()


async def wait_ready(base: str, *, within: float = 20.0) -> str:
    """The body of /readyz once it answers 200."""
    deadline = time.monotonic() + within
    while True:
        status, body = await http_get(f"{base}/readyz")
        if status == 200:
            return body
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.1)


async def interrupted_then_resumed(
    cwd: Path,
    url: str,
    env: dict[str, str],
    *,
    total: int,
    slow: Callable[[float], None],
    delay: float,
    started: Callable[[], Awaitable[object]],
    resumed: Callable[[], Awaitable[None]] | None = None,
) -> str:
    """A bot delivering ``total`` seeded DMs slowly (``slow(delay)`` on the fake platform)
    gets SIGTERM once ``started`` says sends went out: it exits 0 mid-delivery with nothing
    lost and its lane released; a second bot (``resumed`` checks it while it runs) sends the
    rest at full speed. Returns the first bot's log."""
    slow(delay)
    bot = await start_bot(cwd, env)
    try:
        await started()
    finally:
        log = await stop_bot(bot)
    first = await outbox_counts(url)
    assert first.get("sent", 0) >= 3 and first.get("pending", 0) > 0, first  # mid-delivery
    assert sum(first.values()) == total, first
    assert await live_leases(url) == []  # handed back: the next instance starts at once

    slow(0.0)
    bot = await start_bot(cwd, env)
    try:
        if resumed is not None:
            await resumed()
        for _ in range(200):
            if (await outbox_counts(url)).get("sent") == total:
                break
            await asyncio.sleep(0.1)
    finally:
        await stop_bot(bot)
    assert await outbox_counts(url) == {"sent": total}
    return log
