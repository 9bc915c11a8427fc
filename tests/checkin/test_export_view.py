"""The export a person receives is for people: readable names, their own local times, no
bookkeeping columns, no base64 — and a table added later still shows up in it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, String, Table, insert

from bot.bootstrap import make_bot
from bot.delivery.codec import effect_to_json
from bot.features.personal.data import personal_tables
from bot.features.personal.export_view import (
    COMMON_LABELS,
    KIND_TITLES,
    LABELS,
    humanise,
    is_internal,
    people_export,
)
from bot.kernel.clock import FakeClock
from bot.kernel.effects import SendDirect, UserRef
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Base, Member
from bot.kernel.storage.models.base import UTCDateTime
from bot.kernel.ui import Button, Buttons, Field, Fields, File, Image, Message, Text
from tests.checkin.support import DM, LONG_DAY, answer_all
from tests.quiz.support import BALANCE, take_quiz
from tests.support.export import BASE64_RUN, internal_record, keys_of, people_file, sections
from tests.support.harness import Harness, messages

LONG_NOTE = "Walked home through the park and then had a long quiet dinner with friends " * 2
LOCAL_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@pytest.fixture
def h(any_db: Database, clock: FakeClock, settings: Settings) -> Harness:
    return Harness(make_bot(db=any_db, clock=clock, settings=settings))


async def exported(h: Harness, user: str) -> dict[str, Any]:
    effects = await h.command(user, "/crossfade export", DM)
    (file,) = [f for m in messages(effects) for f in m.files]
    return people_file(file)


async def test_the_file_is_readable_local_and_has_no_internal_columns(h: Harness) -> None:
    await h.command("ann", "/crossfade timezone America/New_York")
    await h.command("ann", "/crossfade checkin at 17:00")
    await h.command("ann", "/crossfade logoff 18:00")
    await take_quiz(h, "ann", BALANCE)
    await answer_all(h, "ann", LONG_DAY)
    document = await exported(h, "ann")
    text = json.dumps(document, ensure_ascii=False)

    # readable names: sections and fields are words, never column names
    for key in keys_of(document):
        assert "_" not in key and key[:1] == key[:1].upper(), key
    for name in ("Check-ins", "Log-off settings", "Quiz results", "Reminder schedules"):
        assert name in document, name
    # no bookkeeping column, under its own name or humanised, in any section
    internal = {c.name for t in [*personal_tables(), Base.metadata.tables["members"]] for c in t.c}
    internal = {name for name in internal if is_internal(name)}
    assert {"id", "member_id", "team_id", "lane", "seq", "version"} <= internal
    found = set(keys_of(document)) & (internal | {humanise(n) for n in internal})
    assert found == set()
    # times are the person's own (New York), in words; no ISO timestamps left anywhere
    assert document["About this file"]["Times are in"] == "America/New_York"
    assert not ISO_TIME.search(text)
    stamps = [row[k] for rows in sections(document).values() for row in rows for k in row]
    stamps = [v for v in stamps if isinstance(v, str) and LOCAL_TIME.match(v)]
    assert stamps
    schedule = next(r for r in document["Reminder schedules"] if r["Reminder"] == "Check-in")
    assert schedule["Next due"].endswith(", 17:00")  # 17:00 in New York, not 22:00 UTC
    reminders = {row["Reminder"] for row in document["Reminder schedules"]}
    assert {"Check-in", "Log-off reminder", "Weekly check-in summary"} <= reminders
    assert not any("." in name or "_" in name for name in reminders), reminders
    checkin = document["Check-ins"][0]
    assert checkin["Took a break"] in ("yes", "no") and "Mood (1–5)" in checkin
    assert document["Your settings"]["Workdays"] == "Mon–Fri"
    assert not BASE64_RUN.search(text)


async def test_every_kind_of_personal_data_is_shown_with_all_its_rows(h: Harness) -> None:
    await h.command("ann", "/crossfade checkin at 17:00")
    await h.command("ann", "/crossfade logoff 18:00")
    await take_quiz(h, "ann", BALANCE)
    await answer_all(h, "ann", LONG_DAY)
    document = await exported(h, "ann")
    record = await internal_record(h.bot.db, "ann")
    assert {"checkins", "logoff_settings", "quiz_results", "schedules"} <= set(record["data"])
    shown = {title: len(rows) for title, rows in sections(document).items()}
    assert shown == {KIND_TITLES[n]: len(rows) for n, rows in record["data"].items()}


def test_a_sent_chart_is_named_and_its_image_left_out() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    message = Message(
        "Your week",
        (
            Text("*Your week*"),
            Fields((Field("Mood", "4.0"),)),
            Image(png, "Chart of your week"),
            Buttons((Button("Skip today", "sched:skip", "1@2026-03-02"),)),
            File(b"{}" * 100, "old-export.json", "application/json"),
        ),
    )
    effect = effect_to_json(SendDirect(UserRef("slack", "T1", "U1"), message))
    assert BASE64_RUN.search(json.dumps(effect))  # what the outbox stores
    row = {"id": 7, "member_id": 1, "lane": "slack:T1", "seq": 3, "effect": effect}
    row |= {"kind": "checkin-summary", "due_at": "2026-03-06T16:30:00+00:00"}
    view = people_export(_document({"outbox": [row]}), ZoneInfo("Europe/Berlin"))
    (shown,) = view["Messages from Crossfade"]
    assert shown == {
        "About": "Weekly check-in summary",
        "Message": "*Your week*\nMood: 4.0\n[chart: Chart of your week]\n"
        "[buttons: Skip today]\n[file: old-export.json]",
        "Due": "Fri 6 Mar 2026, 17:30",
    }


def test_odd_values_do_not_break_the_export() -> None:
    rows = {
        "checkins": [
            {"local_date": "not a date", "created_at": None, "note": "ok", "mood": None},
            {"note": LONG_NOTE, "energy": base64.b64encode(bytes(range(100))).decode()},
            {"local_date": None, "created_at": "2026-03-02T10:00:00", "took_break": None},
        ],
        "outbox": [
            {"effect": {"type": "post"}},
            {"effect": "garbage"},
            {"effect": None},
            {"effect": {"message": {"blocks": [{"kind": "fields", "fields": [["a"]]}, "x"]}}},
        ],
        "schedules": [{"rule": {"nested": {"id": 3, "deep_list": [1, b"\x00raw"]}}}],
        "conversations": [{"kind": "quiz", "state": {"sid": "ab12", "fp": "c5a3", "step": 3}}],
        "gone_table": [{"some_column": b"\x00\x01", "when": "2026-01-01"}],
    }
    view = people_export(_document(rows), ZoneInfo("Asia/Kolkata"))
    assert view["Check-ins"][0] == {"Day": "not a date", "Answered": None, "Note": "ok"} | {
        "Mood (1–5)": None
    }
    assert view["Check-ins"][1] == {"Note": LONG_NOTE, "Energy": "[binary data, not included]"}
    assert view["Check-ins"][2]["Answered"] == "Mon 2 Mar 2026, 15:30"  # naive = UTC
    assert view["Check-ins"][2]["Took a break"] is None
    assert len(view["Messages from Crossfade"]) == 4
    assert view["Messages from Crossfade"][3]["Message"] == (
        "[part of this message could not be read]\n[part of this message could not be read]"
    )
    assert view["Reminder schedules"][0]["When"] == {
        "Nested": {"Deep list": [1, "[binary data, 4 bytes, not included]"]}
    }
    assert view["Gone table"] == [
        {"Some column": "[binary data, 2 bytes, not included]", "When": "2026-01-01"}
    ]
    assert view["Conversations in progress"] == [{"About": "Quiz", "Answers so far": {"Step": 3}}]
    json.dumps(view)  # and it is all writable as JSON
    assert people_export({}, ZoneInfo("UTC"))["Your settings"] == {}


def _document(data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "exported_at": "2026-03-09T16:00:00+00:00",
        "team": {"platform": "slack", "workspace_id": "T1", "name": "Acme"},
        "you": {},
        "data": data,
        "not_included": "Pulse answers.",
    }


@pytest.fixture
def reading_log() -> Iterator[Table]:
    """A table a later feature might add: it points at a member, nobody updated the export."""
    table = Table(
        "reading_log",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("team_id", ForeignKey("teams.id", ondelete="CASCADE")),
        Column("member_id", ForeignKey("members.id", ondelete="CASCADE")),
        Column("book_title", String(100)),
        Column("pages_read", Integer),
        Column("finished_at", UTCDateTime()),
        Column("shelf_info", JSON),
        Column("cover_png", LargeBinary),
        Column("dedupe_key", String(40)),
    )
    try:
        yield table
    finally:
        Base.metadata.remove(table)


async def test_a_table_added_later_is_exported_in_words(
    sqlite_db: Database, clock: FakeClock, settings: Settings, reading_log: Table
) -> None:
    h = Harness(make_bot(db=sqlite_db, clock=clock, settings=settings))
    await h.command("ann", "/crossfade timezone Asia/Tokyo")
    await h.command("bob", "/crossfade help")
    async with sqlite_db.engine.begin() as connection:
        await connection.run_sync(reading_log.create)
    async with sqlite_db.uow() as uow:
        for user, title in (("ann", "Rest"), ("bob", "Bob's secret book")):
            member = await uow.session.scalar(
                Base.metadata.tables["members"].select().where(Member.platform_user_id == user)
            )
            row = {"team_id": 1, "member_id": member, "book_title": title, "pages_read": 12}
            row |= {"finished_at": datetime(2026, 3, 2, 12, 0, tzinfo=UTC)}
            row |= {"shelf_info": {"shelf_id": 4, "tags": ["calm"]}, "cover_png": b"\x89PNG" * 50}
            await uow.session.execute(insert(reading_log).values(row | {"dedupe_key": "k1"}))
        await uow.commit()
    document = await exported(h, "ann")
    assert document["Reading log"] == [
        {
            "Book title": "Rest",
            "Pages read": 12,
            "Finished at": "Mon 2 Mar 2026, 21:00",
            "Shelf info": {"Tags": ["calm"]},
            "Cover png": "[binary data, 200 bytes, not included]",
        }
    ]
    assert "Bob's secret book" not in json.dumps(document)


def test_docs_list_every_section_and_field_a_known_table_shows() -> None:
    """docs/export.md is the file's documented schema: it must not drift from the code."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "export.md").read_text("utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if "| `" in line}
    for name, title in [("members", "Your settings"), *KIND_TITLES.items()]:
        table = Base.metadata.tables[name]
        labels = COMMON_LABELS | LABELS.get(name, {})
        shown = [labels.get(c.name, humanise(c.name)) for c in table.c if not is_internal(c.name)]
        fields = rows[title].split("|")[3]
        assert all(label in fields for label in shown), (title, shown, fields)
