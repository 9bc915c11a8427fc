"""Quiz figures: content load and validation, scoring every possible answer sheet, and the
cost of one button press through the whole core on SQLite (or PostgreSQL).

    .venv/bin/python benchmarks/quiz.py [--people 50] [--database URL]

Prints numbers; asserts nothing. The database defaults to a fresh temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from bot.bootstrap import make_bot
from bot.features.quiz.content import load_content
from bot.features.quiz.scoring import Choice, score_quiz
from bot.kernel.clock import FakeClock
from bot.kernel.events import Action, Actor, Command, Place
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database

CHANNEL = Place.channel("C1", "general")


def bench_content() -> None:
    runs = 20
    started = time.perf_counter()
    for _ in range(runs):
        content = load_content()
    per_load = (time.perf_counter() - started) / runs
    print(
        f"content load + validation: {per_load * 1000:.1f} ms ({len(content.questions)} questions)"
    )

    per_question = [
        [Choice(q.id, a.id, a.score, frozenset(a.flags), a.why) for a in q.answers]
        for q in content.questions
    ]
    th = content.quiz.thresholds
    started = time.perf_counter()
    sheets = 0
    for combo in itertools.product(*per_question):
        score_quiz(
            combo,
            balance_at_most=th.balance_at_most,
            integration_at_least=th.integration_at_least,
        )
        sheets += 1
    elapsed = time.perf_counter() - started
    print(
        f"scoring: all {sheets:,} answer sheets in {elapsed:.2f} s "
        f"({elapsed / sheets * 1e6:.1f} µs per sheet)"
    )


async def bench_flow(url: str, people: int) -> None:
    db = Database(url)
    if db.is_sqlite:
        await db.upgrade()
    settings = Settings(DATABASE_URL=url, _env_file=None)  # type: ignore[call-arg]
    bot = make_bot(db=db, settings=settings, clock=FakeClock())
    content = load_content()
    timings: list[float] = []
    try:
        for person in range(people):
            actor = Actor("bench", "T1", f"user{person}", f"user{person}")
            started = time.perf_counter()
            effects = await bot.handle(Command(actor, "/crossfade quiz", CHANNEL))
            timings.append(time.perf_counter() - started)
            for index, question in enumerate(content.questions):
                message = effects[0].message  # type: ignore[union-attr]
                button = next(b for b in message.buttons if b.action == "quiz:answer")
                answer = question.answers[(person + index) % len(question.answers)]
                value = button.value.rsplit(".", 1)[0] + f".{answer.id}"
                started = time.perf_counter()
                effects = await bot.handle(Action(actor, "quiz:answer", value, None, CHANNEL))
                timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        await bot.handle(Command(Actor("bench", "T1", "viewer"), "/crossfade team", CHANNEL))
        team_view = time.perf_counter() - started
    finally:
        await db.dispose()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(
        f"flow on {db.engine.dialect.name}: {people} people × {len(content.questions) + 1} events; "
        f"median {statistics.median(timings) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {timings[-1] * 1000:.1f} ms per event; team view {team_view * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    bench_content()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(bench_flow(url, args.people))


if __name__ == "__main__":
    main()
