"""The check-in flow through the real core and SQLite: buttons, dates, the note form, the
daily DM, nudges, the dashboard, the weekly summary and the retention purge."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import make_bot
from bot.features.checkin.models import CheckIn, NudgeSent
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.kernel.effects import FormErrors, OpenForm, SendDirect
from bot.kernel.events import Action
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.kernel.storage.models.scheduling import Schedule
from tests.checkin.support import (
    DM,
    GOOD_DAY,
    LONG_DAY,
    answer_all,
    answer_message,
    checkin_on,
    checkins,
    run_jobs,
    to,
)
from tests.support.harness import Harness, button, messages, text_of

MONDAY = date(2026, 3, 2)


@pytest.fixture
def h(bot: Bot) -> Harness:
    return Harness(bot)


def at(clock: FakeClock, day: date, hour: int, minute: int = 0, zone: str = "UTC") -> None:
    from zoneinfo import ZoneInfo

    clock.set(datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)))


# --- answering ---------------------------------------------------------------------------


async def test_a_check_in_is_five_presses_and_is_stored_for_the_local_day(
    h: Harness, bot: Bot
) -> None:
    effects = await h.command("ann", "/crossfade checkin", DM)
    assert "How was your mood today?" in text_of(effects)
    assert [b.label for b in messages(effects)[0].buttons] == [
        "1 😣",
        "2 🙁",
        "3 😐",
        "4 🙂",
        "5 😄",
    ]
    effects = await answer_message(h, "ann", effects)
    text = text_of(effects)
    assert "Saved — check-in for Mon 2 Mar" in text
    assert "mood 4 · energy ok · 6–8 h · break yes · downtime yes" in text
    assert "Streak: 1 workday in a row (best 1)" in text
    (row,) = await checkins(bot, "ann")
    assert (row.local_date, row.mood, row.energy, row.hours, row.took_break, row.downtime) == (
        MONDAY,
        4,
        "ok",
        "6-8",
        True,
        True,
    )
    # every button carries everything routing needs, within Discord's 100 characters
    assert all(len(b.key) <= 100 for m in messages(effects) for b in m.buttons)


async def test_answering_again_the_same_day_updates_the_one_row(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await answer_all(h, "ann", GOOD_DAY)
    clock.advance(timedelta(hours=6))
    effects = await h.command("ann", "/crossfade checkin", DM)
    assert "already checked in today" in text_of(effects)
    # the current answer is highlighted
    assert button(effects, "4 🙂").style == "primary"
    await answer_message(h, "ann", effects, LONG_DAY)
    (row,) = await checkins(bot, "ann")
    assert (row.mood, row.energy, row.hours, row.took_break, row.downtime) == (
        2,
        "low",
        "10+",
        False,
        False,
    )


async def test_the_local_date_follows_the_persons_zone(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await h.command("kai", "/crossfade timezone Pacific/Kiritimati")  # UTC+14
    at(clock, MONDAY, 20)  # Monday 20:00 UTC is Tuesday 10:00 in Kiritimati
    await answer_all(h, "kai")
    (row,) = await checkins(bot, "kai")
    assert row.local_date == date(2026, 3, 3)
    assert row.zone == "Pacific/Kiritimati"


async def test_an_answer_after_midnight_to_yesterdays_dm_belongs_to_yesterday(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await h.command("ann", "/crossfade timezone Europe/Berlin")
    at(clock, MONDAY, 22, 30, "Europe/Berlin")
    first = await h.command("ann", "/crossfade checkin", DM)
    at(clock, MONDAY + timedelta(days=1), 0, 40, "Europe/Berlin")
    await answer_message(h, "ann", first)
    assert await checkin_on(bot, "ann", MONDAY) is not None
    assert await checkin_on(bot, "ann", MONDAY + timedelta(days=1)) is None


async def test_an_old_check_in_has_expired_and_changes_nothing(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    first = await h.command("ann", "/crossfade checkin", DM)
    clock.advance(timedelta(days=2))
    effects = await h.press("ann", button(first, "3 😐"), place=DM)
    assert "has closed, so nothing was changed" in text_of(effects)
    assert await checkins(bot, "ann") == []


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("checkin:a", "20260302|m|9"),
        ("checkin:a", "20260302|z|1"),
        ("checkin:a", "2026030|m|1"),
        ("checkin:a", "20261302|m|1"),
        ("checkin:a", ""),
        ("checkin:a", "20300101|m|1"),
        ("checkin:note", "x"),
        ("checkin:redo", "99999999"),
    ],
)
async def test_forged_or_stale_buttons_get_a_sentence_and_change_nothing(
    h: Harness, bot: Bot, action: str, value: str
) -> None:
    effects = await bot.handle(Action(h.actor("ann"), action, value))
    text = text_of(effects)
    assert "no longer valid" in text or "closed" in text
    assert await checkins(bot, "ann") == []


async def test_pressing_the_same_answer_twice_is_harmless(h: Harness, bot: Bot) -> None:
    first = await h.command("ann", "/crossfade checkin", DM)
    mood = button(first, "5 😄")
    await h.press("ann", mood, place=DM)
    again = await h.press("ann", mood, place=DM)
    assert "How's your energy?" in text_of(again)
    (row,) = await checkins(bot, "ann")
    assert row.mood == 5


async def test_a_half_done_check_in_picks_up_where_it_stopped(h: Harness, bot: Bot) -> None:
    first = await h.command("ann", "/crossfade checkin", DM)
    second = await h.press("ann", button(first, "3 😐"), place=DM)
    await h.press("ann", button(second, "High"), place=DM)
    resumed = await h.command("ann", "/crossfade checkin", DM)
    assert "How many hours did you work?" in text_of(resumed)
    assert "So far: mood 3 · energy high" in text_of(resumed)


# --- the note ------------------------------------------------------------------------------


async def test_the_optional_note_is_a_validated_one_line_form(h: Harness, bot: Bot) -> None:
    done = await answer_all(h, "ann")
    opened = await h.press("ann", button(done, "Add a private note"), place=DM)
    (form_effect,) = opened
    assert isinstance(form_effect, OpenForm)
    form = form_effect.form
    assert form.fields[0].max_length == 200 and not form.fields[0].required

    too_long = await h.submit("ann", form.id, {"note": "x" * 201})
    assert isinstance(too_long[0], FormErrors) and "201" in too_long[0].errors["note"]
    assert (await checkins(bot, "ann"))[0].note is None

    saved = await h.submit("ann", form.id, {"note": "Long lunch\nwith an old friend"})
    assert "Note saved" in text_of(saved)
    assert (await checkins(bot, "ann"))[0].note == "Long lunch with an old friend"

    cleared = await h.submit("ann", form.id, {"note": "  "})
    assert "cleared" in text_of(cleared)
    assert (await checkins(bot, "ann"))[0].note is None


# --- the daily DM --------------------------------------------------------------------------


async def test_checkin_at_schedules_the_daily_dm_and_off_stops_it(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    text = text_of(await h.command("ann", "/crossfade checkin at 16:45"))
    assert "Daily check-in set: 16:45 your time (UTC), Mon–Fri" in text
    at(clock, MONDAY, 16, 45)
    sent = to("ann", await run_jobs(bot))
    assert len(sent) == 1
    assert "Time for your 30-second check-in" in text_of(sent)
    labels = [b.label for b in messages(sent)[0].buttons]
    assert "Skip today" in labels and "4 🙂" in labels
    await answer_message(h, "ann", sent)
    assert await checkin_on(bot, "ann", MONDAY) is not None

    text = text_of(await h.command("ann", "/crossfade checkin off"))
    assert "Daily check-ins stopped" in text
    at(clock, MONDAY + timedelta(days=1), 16, 50)
    assert to("ann", await run_jobs(bot)) == []
    assert "no daily check-in" in text_of(await h.command("ann", "/crossfade checkin off"))


async def test_no_dm_when_already_checked_in_or_away(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await h.command("ann", "/crossfade checkin at 16:00")
    await answer_all(h, "ann")  # Monday morning, by hand
    at(clock, MONDAY, 16)
    assert to("ann", await run_jobs(bot)) == []
    await h.command("ann", "/crossfade away 2026-03-03..2026-03-03")
    at(clock, MONDAY + timedelta(days=1), 16)
    assert to("ann", await run_jobs(bot)) == []
    at(clock, MONDAY + timedelta(days=2), 16)
    assert len(to("ann", await run_jobs(bot))) == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("checkin at 21:00", "inside your quiet hours"),
        ("checkin at 25:00", "isn't a time of day"),
        ("checkin at", "`checkin at` needs a time, e.g. `checkin at 17:30`"),
        ("checkin sometimes", "Try `checkin at HH:MM` or `checkin off`"),
    ],
)
async def test_bad_schedules_are_explained(h: Harness, command: str, expected: str) -> None:
    assert expected in text_of(await h.command("ann", f"/crossfade {command}"))


# --- nudges --------------------------------------------------------------------------------


async def test_a_nudge_shows_on_its_pattern_once_a_week(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    texts = []
    hours = ["10+", "6–8", "10+", "10+", "10+"]  # the third 10+ day in five is Thursday
    for offset, worked in enumerate(hours):
        at(clock, MONDAY + timedelta(days=offset), 17)
        texts.append(text_of(await answer_all(h, "ann", ("3 😐", "OK", worked, "Yes", "Yes"))))
    assert "💡" not in "".join(texts[:3])
    assert "Know your limits" in texts[3] and "three or more" in texts[3].lower()
    assert "💡" not in texts[4]  # the pattern still shows, but not again within a week
    async with bot.db.uow() as uow:
        sent = list(await uow.session.scalars(select(NudgeSent)))
        await uow.commit()
    assert [(n.pattern, n.sent_on) for n in sent] == [("long_hours", date(2026, 3, 5))]


# --- the dashboard -------------------------------------------------------------------------


async def test_me_without_data_points_to_checkin(h: Harness) -> None:
    effects = await h.command("ann", "/crossfade me")
    assert "Nothing to show yet" in text_of(effects)
    assert button(effects, "Check in now").action == "checkin:start"


async def test_me_shows_streak_week_trends_and_a_chart(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    for offset in (0, 1, 2, 3, 4, 7, 8):  # Mon–Fri, then Mon–Tue of the next week
        at(clock, MONDAY + timedelta(days=offset), 17)
        await answer_all(h, "ann")
    await answer_all(h, "bob")  # someone else's data never shows
    effects = await h.command("ann", "/crossfade me")
    text = text_of(effects)
    assert "Streak: *7 workdays in a row* (best 7)" in text
    assert "`Tue 10` 🙂 4 · energy ok · 6–8 h · break ✓ · downtime ✓" in text
    assert "`Sat  7` day off" in text
    assert "Check-ins (7 / 30 days): 5 / 7" in text
    (message,) = messages(effects)
    (image,) = message.images
    assert image.png.startswith(b"\x89PNG") and "mood and energy" in image.alt
    wide = await h.command("ann", "/crossfade me 30")
    assert messages(wide)[0].images
    assert "`me 30`" in text_of(await h.command("ann", "/crossfade me forever"))


async def test_weekly_summary_comes_on_the_last_workday_at_logoff(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await h.command("ann", "/crossfade checkin at 09:30")
    summary = None
    for offset in range(5):
        day = MONDAY + timedelta(days=offset)
        at(clock, day, 9, 30)
        dms = to("ann", await run_jobs(bot))
        await answer_message(h, "ann", dms)
        at(clock, day, 17, 30)  # the team's default log-off time
        evening = to("ann", await run_jobs(bot))
        if offset < 4:
            assert evening == [], f"no summary on {day:%A}"
        else:
            (summary,) = evening
    assert isinstance(summary, SendDirect)
    text = text_of([summary])
    assert "Your week* · Mon 2 Mar – Fri 6 Mar" in text and "5 check-ins" in text
    assert summary.message.images
    assert "Skip today" not in [b.label for b in summary.message.buttons]


# --- retention -----------------------------------------------------------------------------


async def test_old_check_ins_are_purged_by_the_daily_job(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await h.command("you", "/crossfade settings retention 30")
    at(clock, MONDAY, 12)
    await answer_all(h, "ann")
    at(clock, MONDAY + timedelta(days=20), 12)
    await answer_all(h, "ann")
    await answer_all(h, "bob")
    # the engine ticks every night at the purge hour (03:00 in the team's zone)
    for night in range(21, 31):
        at(clock, MONDAY + timedelta(days=night), 3)
        await run_jobs(bot)
    # 30 days after Monday 2 March is still within retention …
    assert len(await checkins(bot)) == 3
    # … 31 days after, it goes; the later ones and other people's stay
    at(clock, MONDAY + timedelta(days=31), 3)
    await run_jobs(bot)
    remaining = [(r.local_date, r.member_id) for r in await checkins(bot)]
    assert [d for d, _ in remaining] == [MONDAY + timedelta(days=20)] * 2
    # a team-level job, every night, that survives nights the bot was down
    async with bot.db.uow() as uow:
        purges = list(
            await uow.session.scalars(select(Schedule).where(Schedule.kind == "checkin-purge"))
        )
        await uow.commit()
    assert len(purges) == 7 and all(p.member_id is None for p in purges)
    assert min(p.next_due_at for p in purges if p.next_due_at) == datetime(
        2026, 4, 3, 3, 0, tzinfo=UTC
    )


async def test_two_people_never_share_a_row(h: Harness, bot: Bot) -> None:
    await answer_all(h, "ann", GOOD_DAY)
    await answer_all(h, "bob", LONG_DAY)
    rows = {r.member_id: r for r in await checkins(bot)}
    assert len(rows) == 2
    assert sorted(r.mood for r in rows.values() if r.mood) == [2, 4]
    async with bot.db.uow() as uow:
        assert len(list(await uow.session.scalars(select(CheckIn)))) == 2


# --- several instances ----------------------------------------------------------------------


@pytest.mark.postgres
async def test_two_instances_answering_at_once_make_one_row(
    postgres_db: Database, clock: FakeClock, settings: Settings
) -> None:
    """Two bot instances on one PostgreSQL get the first two answers of a day at the same
    moment: the unique (member, date) key and the core's retry leave one row with both.
    (SQLite is single-instance by design.)"""
    first, second = (make_bot(db=postgres_db, clock=clock, settings=settings) for _ in range(2))
    h = Harness(first)
    await h.command("ann", "/crossfade help")  # the member exists; the check-in row doesn't
    actor = h.actor("ann")
    mood = Action(actor, "checkin:a", "20260302|m|2")
    energy = Action(actor, "checkin:a", "20260302|e|high")
    results = await asyncio.gather(first.handle(mood), second.handle(energy))
    assert all("went wrong" not in text_of(effects) for effects in results)
    (row,) = await checkins(first, "ann")
    assert (row.mood, row.energy) == (2, "high")


async def test_log_off_records_feed_the_on_time_share_the_nudge_and_the_chart(
    h: Harness, bot: Bot, clock: FakeClock
) -> None:
    await h.command("ann", "/crossfade logoff 17:30")
    for offset, (hour, minute) in enumerate([(17, 35), (19, 0), (18, 40), (19, 10)]):
        at(clock, MONDAY + timedelta(days=offset), hour, minute)
        await h.command("ann", "/crossfade done", DM)
    at(clock, MONDAY + timedelta(days=4), 9)
    effects = await h.command("ann", "/crossfade me", DM)
    text = text_of(effects)
    assert "Logged off on time (30 days): 25% (1 of 4 days)" in text
    assert "Set boundaries" in text and "late three workdays running" in text
    assert messages(effects)[0].images
