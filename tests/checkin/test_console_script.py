"""The check-in story as a console script (examples/checkin_week.txt): a week of `:advance`
with check-ins on some days, `me`, `export`, `forget`, and another person left untouched."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adapters.console.app import ConsoleApp
from adapters.console.runner import script_clock
from bot.bootstrap import build
from bot.features.personal.data import member_columns, personal_tables
from bot.kernel.settings import Settings
from bot.kernel.storage.models import Member
from tests.support.console import transcript
from tests.support.export import internal_record, people_file, sections

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "checkin_week.txt"


def test_the_script_runs_in_the_real_console() -> None:
    out = transcript("--script", str(SCRIPT))
    # the daily DM, at 16:00 Berlin time, with the engine's Skip button
    assert "[16:00 Mon] bot → you (DM)\n  Time for your 30-second check-in." in out
    assert "[6] Skip today" in out
    # Friday's weekly summary at log-off, with its chart
    summary = out.split("[17:30 Fri] bot → you (DM)", 1)[1]
    assert summary.startswith("\n  Your week · Mon 2 Mar – Fri 6 Mar\n  4 check-ins")
    assert "[image: Chart of your last 7 days" in summary.split("[16:00 Mon]", 1)[0]
    # `me`: Thu, Fri, Mon — Wednesday went unanswered, the weekend doesn't count
    dashboard = out.split("you (#general): /crossfade me", 1)[1].split("/crossfade export", 1)[0]
    assert "Streak: 3 workdays in a row (best 3)" in dashboard
    assert "`Wed  4` no check-in" in dashboard and "`Sat  7` day off" in dashboard
    assert "[image: Chart of your last 7 days: mood and energy" in dashboard
    # the exports are files; after forget only the empty settings remain
    assert out.count("[file: crossfade-export-2026-03-09.json") == 4
    assert "Deleted your settings (time zone, workdays, quiet hours, away days), 5 check-ins" in out


async def test_exports_hold_exactly_the_persons_data_and_forget_leaves_nothing(
    tmp_path: Path,
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", _env_file=None
    )
    services = await build(settings, clock=script_clock())
    app = ConsoleApp(services, out=io.StringIO())
    you_id = None
    record: dict[str, Any] = {}
    try:
        for line in SCRIPT.read_text(encoding="utf-8").splitlines():
            if line.startswith("/crossfade forget"):
                you_id = await _member_id(services, "you")
                record = await internal_record(services.db, "you")
            await app.line(line)
        exports = [
            (shown.audience, people_file(block))
            for shown in app.shown
            for block in shown.message.files
        ]
        leftovers = await _rows_about(services, you_id)
        members = await _member_names(services)
    finally:
        await services.close()

    (yours, bob_before, yours_after, bob_after) = exports
    assert yours[0] == frozenset({"you"}) and bob_before[0] == frozenset({"bob"})
    you_doc, bob_doc = yours[1], bob_before[1]

    # yours: every row is yours, the five days you answered, your note; nothing of Bob's
    assert record["you"]["platform_user_id"] == "you"
    assert {row["member_id"] for rows in record["data"].values() for row in rows} == {you_id}
    checkins = you_doc["Check-ins"]
    days = [row["Day"] for row in checkins]
    assert days == [f"{date(2026, 3, d):%a} {d} Mar 2026" for d in (2, 3, 5, 6, 9)]
    assert checkins[0]["Note"] == "Walked home through the park"
    assert "bob" not in json.dumps(you_doc)
    # the messages you got, as you read them, at Berlin times; the chart named, not dumped
    sent = you_doc["Messages from Crossfade"]
    assert sent[0]["Due"] == "Mon 2 Mar 2026, 16:00" and sent[0]["About"] == "Check-in"
    summary = next(m for m in sent if m["About"] == "Weekly check-in summary")
    assert summary["Due"] == "Fri 6 Mar 2026, 17:30"
    assert (
        "*Your week*" in summary["Message"] and "[chart: Chart of your last 7" in summary["Message"]
    )
    # Bob's: one check-in, nothing of yours
    assert [row["Mood (1–5)"] for row in bob_doc["Check-ins"]] == [2]
    assert "Walked home" not in json.dumps(bob_doc)

    # after forget: nothing left about you — only the fresh, empty member the export made
    assert sections(yours_after[1]) == {}
    assert leftovers == {}
    assert members == ["bob", "you"]
    # and Bob's data is exactly as it was
    assert _stable(bob_after[1]) == _stable(bob_doc)


def _stable(document: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    copy["About this file"].pop("Exported")
    copy["Your settings"].pop("Last changed")
    return copy  # type: ignore[no-any-return]


async def _member_id(services: Any, user: str) -> int | None:
    async with services.db.uow() as uow:
        value: int | None = await uow.session.scalar(
            select(Member.id).where(Member.platform_user_id == user)
        )
        return value


async def _member_names(services: Any) -> list[str]:
    async with services.db.uow() as uow:
        return sorted(await uow.session.scalars(select(Member.platform_user_id)))


async def _rows_about(services: Any, member_id: int | None) -> dict[str, int]:
    assert member_id is not None
    found = {}
    async with services.db.uow() as uow:
        for table in personal_tables():
            for column in member_columns(table):
                rows = (await uow.session.execute(select(table).where(column == member_id))).all()
                # the member re-created by the last export may reuse the id: it has no rows
                if rows:
                    found[table.name] = len(rows)
    return found
