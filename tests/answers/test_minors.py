"""Each answer a person meets, through the console transcript: the smaller findings of a
newcomer's first hour."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.parsing import InputError, parse_duration
from bot.features.logoff.rules import next_workday_name, working_day
from bot.kernel.app import Bot
from tests.answers.support import after, console
from tests.support.harness import Harness, button, text_of

# --- 3: durations and dates are bounded everywhere a person types them ---------------------


async def test_huge_durations_and_dates_get_a_clear_answer(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade pulse ask "A" yesno closes 99999999999999999d
        /crossfade pulse ask "A" yesno closes 9999-12-31
        /crossfade pulse schedule weekly fri 15:00 workload closes 99999999999999999d
        /crossfade pulse
        :fill question="Is it ok?" kind=yesno closes=99999999999999999d
        :submit
        :fill closes=2d
        :submit
        /crossfade away 9999-12-31
        """,
    )
    assert out.count("A pulse can stay open for at most 30 days") == 2
    assert "9999-12-31 is too far away: a pulse can stay open for at most 30 days" in out
    assert "A weekly pulse can stay open from 5 minutes to 6 days and 23 hours" in out
    # The form keeps what was typed: fixing only the deadline posts the question.
    assert "closes: A pulse can stay open for at most 30 days" in out
    assert "Is it ok?\n  [1] Yes  [2] No" in out
    assert (
        "9999-12-31 is too far ahead: away days can start at most a year from now. Pick a "
        "start between today and 2027-03-03." in out
    )


async def test_console_clock_is_bounded_and_says_so(tmp_path: Path) -> None:
    from adapters.console.app import ConsoleApp, ScriptError
    from adapters.console.runner import script_clock
    from bot.bootstrap import build
    from bot.kernel.settings import Settings

    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", _env_file=None)  # type: ignore[call-arg]
    services = await build(settings, clock=script_clock())
    try:
        app = ConsoleApp(services)
        with pytest.raises(ScriptError, match="too long: at most 366 days"):
            await app.line(":advance 99999999999d")
        with pytest.raises(ScriptError, match="between 2000 and 2100"):
            await app.line(":now 9999-12-31T00:00Z")
        assert services.clock.now() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    finally:
        await services.close()


@pytest.mark.parametrize("text", ["99999999999999999d", "9" * 400 + "s", "53w"])
def test_parse_duration_never_overflows(text: str) -> None:
    with pytest.raises(InputError, match="too long"):
        parse_duration(text)


def test_a_unit_given_twice_is_refused() -> None:
    with pytest.raises(InputError, match="same unit twice"):
        parse_duration("2d 2d")


# --- 4: Keep my data after a deletion does not claim nothing was deleted -------------------


async def test_keep_after_delete_says_what_happened(bot: Bot) -> None:
    """The question may still show its buttons after Delete everything (an old message)."""
    h = Harness(bot)
    question = await h.command("ann", "/crossfade forget")
    await h.press("ann", button(question, "Delete everything"))
    text = text_of(await h.press("ann", button(question, "Keep my data")))
    assert "already deleted when you pressed" in text
    assert "Nothing was deleted" not in text


# --- 5: an old Snooze after `logoff off` brings nothing back -------------------------------


async def test_stale_snooze_after_logoff_off(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade logoff 17:30
        :advance 8h30m
        /crossfade logoff off
        :press Snooze 15 min
        :advance 1h
        """,
    )
    assert "Your log-off reminders are off, so there's nothing to snooze." in out
    assert "snoozed reminder" not in out


# --- 6: every error speaks of the command the person typed ---------------------------------


async def test_errors_speak_of_the_command_typed(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade timezone '; DROP TABLE members
        /crossfade pulse schedule weekly xyz 15:00 workload
        /crossfade pulse close
        /crossfade hours 0.0001
        /crossfade workdays Tue - Thu
        /crossfade pulse results 1 OR 1=1
        """,
    )
    tz = after(out, "/crossfade timezone '; DROP TABLE members")
    assert "I don't know the time zone “'; DROP TABLE members”" in tz
    assert "pulse ask" not in tz
    weekly = after(out, "/crossfade pulse schedule weekly xyz 15:00 workload")
    assert "I don't know the day “xyz”" in weekly and "workdays" not in weekly
    assert "e.g. `pulse close 3`" in after(out, "/crossfade pulse close")
    assert "Pick between 1 and 16 hours" in after(out, "/crossfade hours 0.0001")
    assert "Workdays set: Tue–Thu." in after(out, "/crossfade workdays Tue - Thu")
    extra = after(out, "/crossfade pulse results 1 OR 1=1")
    assert "`pulse results` takes a pulse number, e.g. `pulse results 3`" in extra
    assert "“OR 1=1”" in extra


async def test_empty_another_time_form_asks_for_a_time(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade quiz
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press 1
        :press Another time…
        :fill time=
        :submit
        """,
    )
    assert "time: Which time? Write it as 24-hour HH:MM, e.g. 17:30." in out
    assert "“”" not in out


# --- 7: a log-off time inside quiet hours suggests times outside them -----------------------


@pytest.mark.parametrize("typed", ["05:30", "00:00", "12am"])
async def test_logoff_inside_quiet_hours_suggests_a_time_outside(
    tmp_path: Path, typed: str
) -> None:
    out = await console(tmp_path, f"/crossfade logoff {typed}")
    answer = after(out, f"/crossfade logoff {typed}")
    assert "Pick a time between 08:00 and 20:00" in answer
    assert "earlier" not in answer


# --- 8: `done` is judged against the working day --------------------------------------------


async def test_done_is_judged_against_the_working_day(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade logoff 17:30
        :now 2026-03-02T12:00Z
        /crossfade done
        :now 2026-03-04T03:00Z
        /crossfade done
        :now 2026-03-06T19:00Z
        /crossfade done
        """,
    )
    assert "Logged off at 12:00 — boundary kept. Enjoy the rest of your day!" in out
    # 03:00 Wednesday closes Tuesday's work, which ran long.
    assert (
        "Logged off at 03:00, later than your 17:30 yesterday. Noted — rest well; today is a "
        "new try." in out
    )
    assert "Enjoy your evening!" not in after(out, "[03:00 Wed] you (#general): /crossfade done")
    # A Friday names the next workday.
    assert "Noted — rest well; Monday is a new try." in out


def test_working_day_is_one_small_pure_rule() -> None:
    zone = ZoneInfo("Europe/Berlin")
    at = datetime(2026, 3, 4, 3, 0, tzinfo=zone)
    assert working_day(at, time(17, 30)) == (date(2026, 3, 3), True)
    assert working_day(at.replace(hour=9, minute=30), time(17, 30)) == (date(2026, 3, 4), False)
    assert working_day(at.replace(hour=9, minute=29), time(17, 30)) == (date(2026, 3, 3), True)
    assert working_day(at, time(17, 30), hours=20) == (date(2026, 3, 4), False)
    assert next_workday_name(date(2026, 3, 6), 0b0011111) == "Monday"
    assert next_workday_name(date(2026, 3, 5), 0b0011111) == "tomorrow"


# --- 9: console `:press` takes the whole label; `:now` delivers what falls due ---------------


async def test_press_with_an_apostrophe_and_now_delivers(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade logoff 17:30
        :now 2026-03-02T17:31Z
        :press I'm logging off
        """,
    )
    lines = out.splitlines()
    clock = lines.index("-- clock set to 2026-03-02T17:31:00+00:00 --")
    assert lines[clock + 1].startswith("[17:20 Mon] bot → you (DM)")
    assert "[17:30 Mon] bot → you (DM)" in out
    assert "pressed [I'm logging off]" in out
    assert "Logged off at 17:31" in out


# --- 10: settings shows the reminders too ----------------------------------------------------


async def test_settings_shows_reminders_checkin_hours_and_holidays(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade hours 8 until 18:30
        /crossfade checkin at 16:00
        /crossfade holidays DE-BY
        /crossfade settings
        """,
    )
    view = after(out, "/crossfade settings")
    assert "Log-off reminder: hard stop 18:30" in view
    assert "Hours mode: on: a reminder 8 h after `start`" in view
    assert "Daily check-in: 16:00" in view
    assert "Public holidays: DE-BY" in view


# --- 11: exhaustion and rumination lead the quiz result --------------------------------------


async def test_quiz_result_for_an_exhausted_ruminating_person(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade settings support https://intranet.example.com/eap
        /crossfade quiz
        :press By what I deliver, whenever I do it
        :press No, I keep replaying it at night
        :press Mostly from home
        :press Most days — school runs, care, appointments
        :press My work is several gigs or clients
        :press Evenings, nights or a split day
        :press Reply — a quick answer doesn't bother me
        :press Confining — I work best at my own rhythm
        :press Running on empty — tired, irritable, dreading work
        :press Hardly any
        :press 1
        """,
    )
    result = out[out.index("First, rest.") :]
    assert result.index("First, rest.") < result.index("Integration is not for people who")
    assert result.index("Integration is not for people who") < result.index("Your result:")
    assert "Your result: Integration" not in result
    assert "Support your team offers: https://intranet.example.com/eap" in result
    why = result[result.index("Why") :]
    assert why.index("Work keeps running in your head") < why.index("Tips for you")
    # The setup asks for a fixed stop, never an hours count.
    assert "What time is your daily hard stop?" in out
    assert "How many hours make a full workday" not in out


async def test_support_link_is_checked(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade settings support javascript:alert(1)
        /crossfade settings support off
        """,
    )
    assert "a web address starting with https://" in out
    assert "Support link removed" in out


# --- 12: holidays and zones ----------------------------------------------------------------


async def test_holidays_quiet_and_named_and_est_explained(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a library warning would fail here
        out = await console(
            tmp_path,
            """
            /crossfade holidays IN
            /crossfade holidays CN
            /crossfade holidays Germany
            /crossfade timezone EST
            :press Use America/New_York
            """,
        )
    assert "Warning" not in capfd.readouterr().err
    assert "Public holidays set: IN." in out and "Public holidays set: CN." in out
    assert "Did you mean DE?" in out
    assert "EST is always UTC-05:00 — it ignores daylight saving time" in out
    assert "Time zone set: America/New_York" in out
