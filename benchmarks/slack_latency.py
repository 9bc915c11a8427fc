"""Slack HTTP endpoint latency: Crossfade on SQLite and PostgreSQL next to a bare Bolt app.

    .venv/bin/python benchmarks/slack_latency.py [--rate 100] [--seconds 10]

Three processes, as in production: the app under test (its own event loop and CPU), a fake
Slack Web API (tests/adapters/slack/fake_slack.py: users.info, response URLs …) and this
load generator. The generator sends signed requests to ``POST /slack/events`` at a fixed
rate (open loop: a slow answer does not slow the sending), half from 50 different people,
and measures:

* **ack** — send → HTTP answer (what Slack's 3-second deadline applies to);
* **answer** — send → the app's reply arriving at the fake's response URL (the real work:
  the core's transaction and the Web API call, done after the ack).

Scenarios: ``/crossfade help`` (a slash command) and a button press that changes the
person's time zone (a write), each on SQLite and PostgreSQL, and the same requests to a
bare Bolt ``AsyncApp`` whose listeners only ``ack()`` (in Bolt's default mode and with
``process_before_response=True``; the ratio uses the faster of the two). Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret"
TOKEN = "xoxb-test"
PEOPLE = 50


# --- the processes under test ------------------------------------------------------------


async def _ready(port: int) -> None:
    print(f"READY {port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed


async def role_fake() -> None:
    from tests.adapters.slack.fake_slack import FakeSlack

    fake = FakeSlack()
    await fake.start()
    await _ready(fake.port)
    await fake.stop()


async def role_crossfade(database_url: str, api_url: str) -> None:
    from adapters.slack.app import SlackAdapter
    from adapters.slack.server import start_http
    from bot.bootstrap import build
    from bot.kernel.settings import Settings

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
    )
    services = await build(settings)
    adapter = await SlackAdapter.open(services)
    runner, port = await start_http(adapter, host="127.0.0.1", port=0)
    await _ready(port)
    await runner.cleanup()
    await adapter.close()
    await services.close()


async def role_bare(api_url: str, before_response: bool) -> None:
    import re

    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    session = aiohttp.ClientSession()
    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=api_url, session=session),
        signing_secret=SECRET,
        process_before_response=before_response,
    )

    async def only_ack(ack: Any) -> None:
        await ack()

    app.command(re.compile(".*"))(only_ack)
    app.action(re.compile(".*"))(only_ack)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.add_routes([web.post("/slack/events", events)])
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    await _ready(port)
    await runner.cleanup()
    await session.close()


# --- the load generator ----------------------------------------------------------------------


@dataclass
class Process:
    popen: subprocess.Popen[str]
    port: int

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            assert self.popen.stdin is not None
            self.popen.stdin.close()
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()


def start(*args: str) -> Process:
    popen = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert popen.stdout is not None
    line = popen.stdout.readline()
    if not line.startswith("READY"):
        popen.kill()
        raise RuntimeError(f"{args[0:2]} did not start: {line!r}")
    return Process(popen, int(line.split()[1]))


def _signed(body: str, content_type: str) -> dict[str, str]:
    from tests.adapters.slack.rig import signed_headers

    return signed_headers(body, content_type=content_type, secret=SECRET)


def command_request(n: int, fake: str) -> tuple[str, dict[str, str], str]:
    from tests.adapters.slack.rig import command_body

    key = f"c{n}-{uuid.uuid4().hex[:6]}"
    body = command_body(
        "help",
        user=f"U{n % PEOPLE:03d}",
        response_url=f"{fake}/response/{key}",
        trigger_id=f"t{n}",
    )
    return body, _signed(body, "application/x-www-form-urlencoded"), key


def button_request(n: int, fake: str) -> tuple[str, dict[str, str], str]:
    from tests.adapters.slack.rig import fixture, interaction_body

    key = f"b{n}-{uuid.uuid4().hex[:6]}"
    zone = ("Europe/Berlin", "America/Chicago")[(n // PEOPLE) % 2]  # a change every time
    payload = fixture("block_actions")
    user = f"U{n % PEOPLE:03d}"
    payload["user"].update(id=user, name=user.lower(), username=user.lower())
    payload["response_url"] = f"{fake}/response/{key}"
    payload["actions"][0].update(
        action_id="cf.1.personal:timezone", value=f"personal:timezone|{zone}"
    )
    body = interaction_body(payload)
    return body, _signed(body, "application/x-www-form-urlencoded"), key


@dataclass
class Result:
    acks: list[float]
    answers: list[float]
    errors: int  # HTTP failures, and answers that were an apology instead of the real one


async def load(url: str, fake: str, kind: str, *, rate: float, seconds: float) -> Result:
    build = command_request if kind == "command" else button_request
    total = int(rate * seconds)
    acks: list[float] = []
    sent_at: dict[str, float] = {}
    errors = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(n: int) -> None:
            nonlocal errors
            body, headers, key = build(n, fake)
            wall = time.time()
            started = time.perf_counter()
            try:
                async with http.post(f"{url}/slack/events", data=body, headers=headers) as r:
                    await r.read()
                    ok = r.status == 200
            except aiohttp.ClientError:
                ok = False
            if not ok:
                errors += 1
                return
            acks.append(time.perf_counter() - started)
            sent_at[key] = wall

        # warm up: first contact (auth.test, users.info, connections) is not measured
        for n in range(PEOPLE):
            await one(n + 10_000)
        acks.clear()
        sent_at.clear()
        origin = time.perf_counter()
        tasks = []
        for n in range(total):
            delay = origin + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        answers: list[float] = []
        if fake:
            async with http.get(f"{fake}/_stats") as r:
                apologies_before = (await r.json())["apologies"]
            deadline = time.time() + 60
            stats: dict[str, Any] = {}
            while time.time() < deadline:
                async with http.get(f"{fake}/_stats") as r:
                    stats = await r.json()
                if all(k in stats["arrivals"] for k in sent_at):
                    break
                await asyncio.sleep(0.5)
            arrivals = stats["arrivals"]
            answers = [arrivals[k] - t for k, t in sent_at.items() if k in arrivals]
            errors += stats["apologies"] - apologies_before
    return Result(acks, answers, errors)


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class Figures:
    """Median over the repetitions of each run's median and p99 (ms)."""

    ack_median: float
    ack_p99: float
    answer_median: float = float("nan")
    answer_p99: float = float("nan")
    answered: str = ""
    errors: int = 0

    @classmethod
    def of(cls, runs: list[Result]) -> Figures:
        def mid(values: list[float]) -> float:
            return statistics.median(values) if values else float("nan")

        answered = [r for r in runs if r.answers]
        return cls(
            ack_median=mid([pct(r.acks, 0.5) for r in runs]),
            ack_p99=mid([pct(r.acks, 0.99) for r in runs]),
            answer_median=mid([pct(r.answers, 0.5) for r in answered]),
            answer_p99=mid([pct(r.answers, 0.99) for r in answered]),
            answered=(
                f"{sum(len(r.answers) for r in runs)}/{sum(len(r.acks) for r in runs)}"
                if answered
                else ""
            ),
            errors=sum(r.errors for r in runs),
        )


def line(name: str, figures: Figures, bares: dict[str, Figures] | None = None) -> str:
    text = f"{name:<32} ack median {figures.ack_median:5.1f} ms  p99 {figures.ack_p99:5.1f} ms"
    for label, bare in (bares or {}).items():
        text += (
            f"  ×{label} {figures.ack_median / bare.ack_median:4.2f}"
            f"/{figures.ack_p99 / bare.ack_p99:4.2f}"
        )
    if figures.answered:
        text += (
            f"  | answer median {figures.answer_median:5.1f} ms  p99 {figures.answer_p99:6.1f} ms"
            f" ({figures.answered})"
        )
    if figures.errors:
        text += f"  errors {figures.errors}"
    return text


async def main(rate: float, seconds: float, repeat: int, postgres: str | None) -> None:
    fake = start("--role", "fake")
    fake_url = f"http://127.0.0.1:{fake.port}"
    api = f"{fake_url}/api/"
    tmp = tempfile.TemporaryDirectory()
    apps: list[tuple[str, list[str], str]] = [
        ("bare Bolt, default", ["--role", "bare", "--api", api, "--before-response", "0"], ""),
        (
            "bare Bolt, before-response",
            ["--role", "bare", "--api", api, "--before-response", "1"],
            "",
        ),
    ]
    cleanups = []
    databases = [("SQLite", f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}")]
    if postgres:
        url, cleanup = postgres_database(postgres)
        databases.append(("PostgreSQL", url))
        cleanups.append(cleanup)
    for label, url in databases:
        apps.append(
            (
                f"Crossfade, {label}",
                ["--role", "crossfade", "--database", url, "--api", api],
                fake_url,
            )
        )
    runs: dict[tuple[str, str], list[Result]] = {}
    loads = []
    try:
        # Repetitions interleave the apps, so a busy moment on a shared machine falls on all.
        for _ in range(repeat):
            for name, args, answers_at in apps:
                process = start(*args)
                try:
                    for kind in ("command", "button"):
                        url = f"http://127.0.0.1:{process.port}"
                        result = await load(url, answers_at, kind, rate=rate, seconds=seconds)
                        runs.setdefault((name, kind), []).append(result)
                        loads.append(os.getloadavg()[0])
                finally:
                    process.stop()
    finally:
        fake.stop()
        for cleanup in cleanups:
            cleanup()
        tmp.cleanup()
    for kind in ("command", "button"):
        title = "slash command `/crossfade help`" if kind == "command" else "button (a zone change)"
        print(f"\n{title}")
        bares = {
            "default": Figures.of(runs[("bare Bolt, default", kind)]),
            "b-r": Figures.of(runs[("bare Bolt, before-response", kind)]),
        }
        for name, _args, _answers in apps:
            figures = Figures.of(runs[(name, kind)])
            print(line(name, figures, None if name.startswith("bare") else bares))
    print(
        f"\n{rate:.0f} requests/s for {seconds:.0f} s per scenario, {repeat} interleaved "
        f"repetitions (figures: the median of the runs), {PEOPLE} people, {os.cpu_count()} CPUs, "
        f"load average during runs {min(loads):.1f}–{max(loads):.1f}.\n"
        "×default / ×b-r: Crossfade's median/p99 over the bare Bolt app's (Bolt's default mode, "
        "which polls for ack() every 10 ms; and process_before_response=True, as Crossfade runs)."
        "\nanswer: from sending the request to the reply arriving at the response URL."
    )


def postgres_database(admin_url: str) -> tuple[str, Any]:
    from bot.kernel.storage.db import Database
    from tests.support import pg

    if pg.unreachable_reason(admin_url):
        raise SystemExit(f"PostgreSQL is not reachable at {admin_url} (use --no-postgres)")
    name = f"crossfade_bench_{uuid.uuid4().hex[:8]}"
    url = pg.create_database(admin_url, name)

    async def migrate() -> None:
        db = Database(url)
        await db.upgrade()
        await db.dispose()

    pg.run_async(migrate)
    return url, lambda: pg.drop_database(admin_url, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario and run")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved repetitions")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "CROSSFADE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        ),
        help="admin URL of a PostgreSQL server (a temporary database is created on it)",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--role", default="main", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--before-response", default="0", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.role == "fake":
        asyncio.run(role_fake())
    elif args.role == "crossfade":
        asyncio.run(role_crossfade(args.database, args.api))
    elif args.role == "bare":
        asyncio.run(role_bare(args.api, args.before_response == "1"))
    else:
        postgres = None if args.no_postgres else args.postgres
        asyncio.run(main(args.rate, args.seconds, args.repeat, postgres))
