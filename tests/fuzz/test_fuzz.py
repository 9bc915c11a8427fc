"""Property: every input — a random command line, button value or form submission for the
core, or a mutated Slack / Discord payload through the adapter's inbound translation — gets
an answer, and no handler raises (nothing logged as failed), on SQLite and PostgreSQL.

Seeded (``derandomize=True``) so CI sees the same inputs every run; the budget keeps the
whole file to about a minute. ``benchmarks/fuzz.py`` runs 100,000 of the same inputs.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from bot.bootstrap import make_bot
from bot.kernel.clock import FakeClock
from bot.kernel.events import Event
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from tests.fuzz.corpus import Raw, core_events, discord_raw, drive, inputs, slack_raw, translate
from tests.support import pg

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class _Failures(logging.Handler):
    """Counts what the core logs as a failed handler (it answers with an apology)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


class Rig:
    """A bot on its own event loop (Hypothesis drives sync tests)."""

    def __init__(self, url: str) -> None:
        self.runner = asyncio.Runner()
        self.db = Database(url)
        settings_ = Settings(DATABASE_URL=url, _env_file=None)  # type: ignore[call-arg]
        self.bot = make_bot(
            db=self.db, clock=FakeClock(datetime(2026, 3, 2, 9, tzinfo=UTC)), settings=settings_
        )
        self.failures = _Failures()

    def run(self, item: Event | Raw) -> str | None:
        return self.runner.run(drive(self.bot, item))

    def close(self) -> None:
        self.runner.run(self.db.dispose())
        self.runner.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "fuzz.db"
        shutil.copy(template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    made = Rig(url)
    if request.param == "postgres":
        made.runner.run(pg.truncate_all(made.db))
    root = logging.getLogger()
    root.addHandler(made.failures)
    yield made
    root.removeHandler(made.failures)
    made.close()


def _check(rig: Rig, item: Any) -> None:
    before = len(rig.failures.records)
    problem = rig.run(item)
    assert problem is None, f"{problem} for {item!r}"
    assert rig.failures.records[before:] == [], f"logged failures for {item!r}"


@settings(FUZZ, max_examples=600)
@given(item=core_events)
def test_core_answers_every_command_press_and_form(rig: Rig, item: Event) -> None:
    _check(rig, item)


@FUZZ
@given(item=slack_raw)
def test_slack_payloads_translate_and_are_answered(rig: Rig, item: Raw) -> None:
    _check(rig, item)


@FUZZ
@given(item=discord_raw)
def test_discord_payloads_translate_and_are_answered(rig: Rig, item: Raw) -> None:
    _check(rig, item)


@settings(FUZZ, max_examples=1000)
@given(item=inputs)
# found by benchmarks/fuzz.py: a modal's private_metadata that is not a string
@example(item=Raw("slack", "form", {"view": {"private_metadata": [None], "callback_id": "x"}}))
@example(item=Raw("slack", "form", {"view": {"private_metadata": {"a": 1}}, "type": [None]}))
def test_inbound_translation_never_raises(item: Event | Raw) -> None:
    """Translation alone is pure: many more inputs, no database."""
    if isinstance(item, Raw):
        translate(item)
