"""The simulation the issue asks for: 50 people in 6 zones (Lord Howe and Chatham among them)
with random working windows, workdays, holidays and away days, over 6 weeks spanning the
northern spring-forward and the southern fall-back changes, in strict mode.

Every DM the notifier receives is checked against the person's window in their local time,
computed here independently of the bot: 0 outside it except their own log-off reminder,
heads-up and snooze, or a check-in time they confirmed. Then `team disconnect` must report
exactly the counts the simulation saw for its 4 weeks."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import PersonalRules
from bot.kernel.app import Bot
from bot.kernel.clock import FakeClock
from bot.scheduling import DailyLocal, set_schedule
from bot.scheduling.engine import SchedulingEngine
from tests.scheduling.jobs import test_flow
from tests.scheduling.support import RecordingNotifier, bot_with, member_context, play_until
from tests.support.harness import Harness, text_of

ZONES = (
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kathmandu",
    "America/St_Johns",
)
START = datetime(2026, 3, 16, 0, 0, tzinfo=UTC)  # Europe springs forward on 29 March,
END = START + timedelta(weeks=6)  # Lord Howe and Chatham fall back on 5 April
WORKDAYS = {"mon-fri": 0b0011111, "sun-thu": 0b1001111, "mon,tue,wed,thu": 0b0001111}
OWN = re.compile(r"time to log off|Wind-down|snoozed reminder")


@dataclass
class Person:
    name: str
    zone: ZoneInfo
    start: time
    end: time
    workdays: int
    holidays: str | None
    away: tuple[date, date] | None
    checkin: time
    confirmed: bool
    ping: time

    @property
    def rules(self) -> PersonalRules:
        return PersonalRules(
            zone=self.zone,
            workdays=self.workdays,
            quiet=(time(22, 0), time(6, 0)),
            away=self.away,
            holidays=self.holidays,
        )

    def inside(self, local: datetime) -> bool:
        day = local.date()
        rules = self.rules
        working = rules.is_workday(day) and not rules.is_away(day)
        clock = local.time().replace(second=0, microsecond=0, tzinfo=None)
        return working and self.start <= clock <= self.end


def people(seed: int = 17) -> list[Person]:
    rng = random.Random(seed)
    found = []
    for index in range(50):
        start = time(rng.choice([7, 8, 9, 10]), rng.choice([0, 15, 30]))
        end = time(rng.choice([15, 16, 17, 18]), rng.choice([0, 30, 45]))
        away_start = date(2026, 3, 16) + timedelta(days=rng.randrange(0, 40))
        found.append(
            Person(
                name=f"p{index:02d}",
                zone=ZoneInfo(ZONES[index % len(ZONES)]),
                start=start,
                end=end,
                workdays=rng.choice(list(WORKDAYS.values())),
                holidays=rng.choice([None, "DE-BY", "AU-NSW", "NZ", "US"]),
                away=(away_start, away_start + timedelta(days=rng.randrange(0, 5)))
                if rng.random() < 0.5
                else None,
                checkin=time(rng.choice([7, 12, 16, 19, 21]), rng.choice([0, 30])),
                confirmed=rng.random() < 0.5,
                ping=time(rng.choice([6, 11, 14, 20, 21]), 15),
            )
        )
    return found


def workdays_text(mask: int) -> str:
    return next(text for text, value in WORKDAYS.items() if value == mask)


async def setup(h: Harness, bot: Bot, person: Person) -> None:
    name = person.name
    for command in (
        f"timezone {person.zone.key}",
        "quiet 22:00-06:00",
        f"workdays {workdays_text(person.workdays)}",
        f"workday {person.start:%H:%M}-{person.end:%H:%M}",
        f"checkin at {person.checkin:%H:%M}",
    ):
        effects = await h.command(name, command)
        assert "Traceback" not in text_of(effects)
    if person.holidays:
        await h.command(name, f"holidays {person.holidays}")
    if person.away:
        await h.command(name, f"away {person.away[0]}..{person.away[1]}")
    asked = "Send it anyway?" in text_of(h.last[name])
    if asked and person.confirmed:
        from tests.support.harness import button

        await h.press(name, button(h.last[name], "Yes, my choice"))
    person.confirmed = person.confirmed and asked
    # A scheduled DM the person did not ask for (like a nudge or a pulse reminder).
    async with member_context(bot, name) as ctx:
        await set_schedule(ctx, kind="test.ping", rule=DailyLocal(person.ping))


async def test_fifty_people_six_weeks_strict_mode(bot: Bot, clock: FakeClock) -> None:
    tbot = bot_with(bot, test_flow)
    notifier = RecordingNotifier(clock)
    engine = SchedulingEngine(tbot, instance_id="sim")
    engine.add_notifier(notifier)
    h = Harness(tbot, admins={"p00"})
    clock.set(START)
    crowd = people()
    for person in crowd:
        await setup(h, tbot, person)
    await play_until(engine, clock, END)

    by_name = {person.name: person for person in crowd}
    seen: Counter[str] = Counter()
    recent: Counter[str] = Counter()
    report_from = END.date() - timedelta(days=28)  # 4 whole weeks up to yesterday (UTC)
    kinds: Counter[str] = Counter()
    for delivered in notifier.delivered:
        person = by_name[delivered.user]
        local = delivered.at.astimezone(person.zone)
        text = delivered.text
        checkin = "check-in" in text.lower()
        confirmed = checkin and person.confirmed and local.time() == person.checkin
        if person.inside(local):
            category = "inside"
        elif OWN.search(text) or confirmed:
            category = "asked"
        else:
            category = "unasked"
        assert category != "unasked", (person, local, text)
        seen[category] += 1
        if delivered.at.date() >= report_from:
            recent[category] += 1
        kinds[
            "ping"
            if text.startswith("ping")
            else "check-in"
            if "check-in" in text.lower()
            else "own"
        ] += 1

    # The simulation did exercise every path: DMs inside, outside as asked, and unasked
    # pings that waited for the next window.
    assert seen["inside"] > 1000 and seen["asked"] > 50
    assert kinds["ping"] > 300 and kinds["check-in"] > 100
    deferred = [
        d
        for d in notifier.delivered
        if d.text.startswith("ping")
        and not d.text.endswith(d.at.astimezone(by_name[d.user].zone).strftime("%H:%M"))
    ]
    assert deferred, "some pings outside the window must have waited for the next one"

    clock.set(END)
    report = text_of(await h.command("p00", "team disconnect"))
    assert f"inside people's working windows: {recent['inside']}" in report
    assert f"snooze, a check-in time they confirmed): {recent['asked']}" in report
    assert "outside, unasked: 0" in report
    assert "p0" not in report  # no per-person data
