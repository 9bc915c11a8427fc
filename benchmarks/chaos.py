"""The chaos benchmark: the full version of ``tests/chaos`` with figures.

Three real instances (subprocesses) on the test suite's PostgreSQL
(``CROSSFADE_TEST_POSTGRES_URL``, default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``)
deliver reminders due at one instant to a fake platform that enforces a rate limit, fails
10 % of requests (5xx), keeps 3 % and loses their answers, and answers nothing but 429 for
5 seconds. One instance's clock runs 60 s ahead and one 60 s behind; the lane's holder is
SIGSTOPped for 40 s (past its 10 s lease); a random instance is SIGKILLed and restarted.

    .venv/bin/python benchmarks/chaos.py                 # Slack-like and Discord-like
    .venv/bin/python benchmarks/chaos.py --only slack --people 600

Prints people, lost, duplicated, the peak requests in any one-second window against the
limit, the 429s met after the storm, and the shares delivered within 60 s, 3 and 5 minutes
of the due instant. Creates and drops its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.kernel.storage.db import Database
from bot.security.keys import generate_key
from tests.chaos.scenario import ChaosConfig, run_chaos
from tests.support import pg

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def one(admin: str, config: ChaosConfig) -> list[str]:
    name = f"crossfade_chaos_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = await asyncio.to_thread(pg.create_database, admin, name)
    try:
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        return (await run_chaos(url, config)).lines()
    finally:
        await asyncio.to_thread(pg.drop_database, admin, name)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("slack", "discord"))
    parser.add_argument("--people", type=int)
    parser.add_argument("--stop", type=float, default=40.0)
    args = parser.parse_args()
    admin = os.environ.get("CROSSFADE_TEST_POSTGRES_URL", DEFAULT_URL)
    # The instances (subprocesses) need a server key; a throwaway one for this database.
    os.environ.setdefault("CROSSFADE_SECRET_KEY", generate_key())
    runs = {
        # one Slack workspace (one lane) at 5 posts a second: the floor for 600 is 2 minutes
        "slack": ChaosConfig(mode="slack", people=600, limit=5),
        # Discord's global limit, 50 requests a second
        "discord": ChaosConfig(mode="discord", people=3000, limit=50),
    }
    for mode, config in runs.items():
        if args.only and mode != args.only:
            continue
        config.stop_seconds = args.stop
        if args.people:
            config.people = args.people
        for line in await one(admin, config):
            print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
