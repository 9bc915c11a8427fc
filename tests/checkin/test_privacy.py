"""Your data: export holds exactly the person's rows, forget deletes all of them (and only
them), privacy explains it. Run on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.bootstrap import make_bot
from bot.features.personal.data import member_columns, personal_tables
from bot.features.personal.export_view import KIND_TITLES
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Reply, SendDirect
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Base, Member
from tests.checkin.support import DM, LONG_DAY, answer_all, run_jobs, to
from tests.support.export import internal_record, people_file, sections
from tests.support.harness import Harness, button, messages, text_of


@pytest.fixture
def h(any_db: Database, clock: FakeClock, settings: Settings) -> Harness:
    return Harness(make_bot(db=any_db, clock=clock, settings=settings))


async def populate(h: Harness, user: str, note: str) -> None:
    """A few days of someone using the bot: settings, check-ins with a note, a schedule."""
    await h.command(user, "/crossfade timezone Europe/Berlin")
    await h.command(user, "/crossfade checkin at 16:30")
    for _ in range(4):
        done = await answer_all(h, user, LONG_DAY)
        h.bot.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    form = (await h.press(user, button(done, "Add a private note"), place=DM))[0]
    await h.submit(user, form.form.id, {"note": note})  # type: ignore[union-attr]


async def export_of(h: Harness, user: str) -> dict[str, Any]:
    """What ``export`` sends: the readable file (checked for base64 on the way)."""
    effects = await h.command(user, "/crossfade export", DM)
    (message,) = [m for m in messages(effects) if m.files]
    (file,) = message.files
    return people_file(file)


async def member_id(h: Harness, user: str) -> int | None:
    async with h.bot.db.uow() as uow:
        value = await uow.session.scalar(select(Member.id).where(Member.platform_user_id == user))
        return value


async def rows_about(h: Harness, mid: int) -> dict[str, int]:
    counts = {}
    async with h.bot.db.uow() as uow:
        for table in personal_tables():
            columns = member_columns(table)
            if not columns:
                continue
            number = await uow.session.scalar(
                select(func.count()).select_from(table).where(columns[0] == mid)
            )
            if number:
                counts[table.name] = int(number)
    return counts


async def test_export_contains_exactly_the_persons_data(h: Harness) -> None:
    await populate(h, "ann", "ann's private thought")
    await populate(h, "bob", "bob's private thought")
    ann = await member_id(h, "ann")
    bob = await member_id(h, "bob")
    sent = await export_of(h, "ann")
    document = await internal_record(h.bot.db, "ann")
    raw = json.dumps(document)

    assert document["you"]["platform_user_id"] == "ann"
    assert document["you"]["timezone"] == "Europe/Berlin"
    assert "bob" not in raw and str(bob) not in {str(v) for v in _member_refs(document)}
    assert "ann's private thought" in raw
    # every row exported is the person's, and every row of theirs is exported
    assert set(_member_refs(document)) == {ann}
    exported = {name: len(rows) for name, rows in document["data"].items()}
    assert exported == await rows_about(h, ann)  # type: ignore[arg-type]
    assert exported["checkins"] == 4 and "schedules" in exported
    assert "pulse" in document["not_included"].lower()
    # the file the person gets shows every one of those rows, under a readable name
    shown = {title: len(rows) for title, rows in sections(sent).items()}
    assert shown == {KIND_TITLES[name]: number for name, number in exported.items()}
    assert sent["Your settings"]["Time zone"] == "Europe/Berlin"
    assert "ann's private thought" in json.dumps(sent) and "bob" not in json.dumps(sent)
    assert "pulse" in sent["Not included"].lower()


def _member_refs(document: dict[str, Any]) -> list[int]:
    refs = []
    for rows in document["data"].values():
        for row in rows:
            refs.extend(v for k, v in row.items() if k in ("member_id",) and v is not None)
    return refs


async def test_export_from_a_channel_goes_to_the_dm(h: Harness) -> None:
    await answer_all(h, "ann")
    effects = await h.command("ann", "/crossfade export")  # in #general
    reply, direct = effects
    assert isinstance(reply, Reply) and "sent it to our DM" in text_of([reply])
    assert not reply.message.files
    assert isinstance(direct, SendDirect) and direct.user.user_id == "ann"
    assert direct.message.files


async def test_forget_deletes_everything_about_the_person_and_nothing_else(
    h: Harness, clock: FakeClock
) -> None:
    await populate(h, "ann", "ann's note")
    await populate(h, "bob", "bob's note")
    ann = await member_id(h, "ann")
    assert ann is not None
    bob_before = await internal_record(h.bot.db, "bob")

    asked = await h.command("ann", "/crossfade forget", DM)
    text = text_of(asked)
    assert "4 check-ins" in text and "can't be undone" in text
    confirm = button(asked, "Delete everything")
    assert confirm.style == "danger"
    done = await h.press("ann", confirm, place=DM)
    text = text_of(done)
    assert "Deleted your settings" in text and "4 check-ins" in text
    assert "reminder schedule" in text

    assert await member_id(h, "ann") is None
    assert await rows_about(h, ann) == {}
    # pressing again (or on another instance) is harmless and leaves nothing behind
    again = await h.press("ann", confirm, place=DM)
    assert "Already done" in text_of(again)
    assert await member_id(h, "ann") is None

    # nobody else lost anything
    bob_after = await internal_record(h.bot.db, "bob")
    assert _without_times(bob_after) == _without_times(bob_before)
    # and no more DMs for the forgotten person
    clock.set(clock.now() + timedelta(days=1))
    await run_jobs(h.bot)  # the engine has been ticking all along: old firings are done
    clock.set(clock.now().replace(hour=15, minute=30))  # 16:30 in Berlin (winter)
    sent = await run_jobs(h.bot)
    assert to("ann", sent) == [] and len(to("bob", sent)) == 1

    # a fresh export after forgetting has nothing but the new, empty member
    fresh = await export_of(h, "ann")
    assert sections(fresh) == {}
    assert fresh["Your settings"]["Time zone"] is None
    assert (await internal_record(h.bot.db, "ann"))["data"] == {}


def _without_times(document: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    copy.pop("exported_at")
    for rows in copy["data"].values():
        for row in rows:
            for key in ("updated_at", "next_due_at", "last_due_at", "done_through"):
                row.pop(key, None)
    return copy  # type: ignore[no-any-return]


async def test_a_late_confirmation_or_keep_deletes_nothing(h: Harness, clock: FakeClock) -> None:
    await answer_all(h, "ann")
    asked = await h.command("ann", "/crossfade forget", DM)
    kept = await h.press("ann", button(asked, "Keep my data"), place=DM)
    assert "Nothing was deleted" in text_of(kept)
    clock.advance(timedelta(minutes=16))
    late = await h.press("ann", button(asked, "Delete everything"), place=DM)
    assert "expired, so nothing was deleted" in text_of(late)
    ann = await member_id(h, "ann")
    assert ann is not None and (await rows_about(h, ann))["checkins"] == 1


async def test_privacy_explains_what_how_long_and_who(h: Harness) -> None:
    await h.command("you", "/crossfade settings retention 90")
    text = text_of(await h.command("ann", "/crossfade privacy"))
    for expected in ("Kept 90 days", "only you", "never *what*", "`export`", "`forget`"):
        assert expected in text


def test_every_per_person_table_is_scoped_and_cascades() -> None:
    """The rule the generic export and forget rely on: a table that points at a member has
    a team_id and deletes with the member."""
    for table in Base.metadata.sorted_tables:
        for column in member_columns(table):
            assert "team_id" in table.columns, f"{table.name} has no team_id"
            (fk,) = column.foreign_keys
            assert fk.ondelete == "CASCADE", f"{table.name}.{column.name} does not cascade"
