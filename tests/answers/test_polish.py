"""The polish: help in plain words, fair percentages, DMs without the slash,
input hygiene and the remaining wording."""

from __future__ import annotations

import re
from pathlib import Path

from bot.bootstrap import build_router
from bot.kernel.app import Bot
from tests.answers.support import after, console


def test_every_usage_of_every_command_is_explained_without_jargon() -> None:
    router = build_router()
    usages = [(line, words) for spec in router.commands.values() for line, words in spec.usage_help]
    missing = [line for line, words in usages if not words]
    assert not missing, f"these usages are declared without help words: {missing}"
    for spec in router.commands.values():
        words = " ".join([spec.summary, *(w for _line, w in spec.usage_help)])
        assert not re.search(r"\bk\b", words), (spec.name, words)


async def test_help_for_one_command_explains_each_option(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade help logoff
        /crossfade help settings
        """,
    )
    assert (
        "`/crossfade logoff headsup N|off` — a wind-down nudge N minutes before the reminder" in out
    )
    assert "`/crossfade settings k N` — the minimum number of answers before any pulse" in out


async def test_dm_help_and_quiz_without_the_slash(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        help
        quiz
        hello bot
        """,
    )
    assert "Crossfade helps you choose between" in after(out, "you (DM): help")
    assert "1/10 · How is your work mostly judged?" in after(out, "you (DM): quiz")
    assert "I answer to `/crossfade` commands" in after(out, "you (DM): hello bot")


async def test_invisible_characters_are_stripped_and_look_alikes_refused(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade pulse ask "Lunch?" options Yes, Yes\u200b
        /crossfade pulse ask "Lunch?" options Yes, Y\u0435s
        /crossfade pulse ask "Tea\ufeff?" options \u202eon\u202c, \U0001f469\u200d\U0001f4bb
        """,
    )
    assert "The option “Yes” appears twice." in out
    assert "look the same to a reader" in out
    assert "  Tea?\n  [1] on  [2] \U0001f469\u200d\U0001f4bb" in out  # the ZWJ stays


def test_strip_invisible_keeps_joiners() -> None:
    from bot.domain.text import look_alike_key, strip_invisible

    assert strip_invisible("\ufeffA\u200bB\u202eC\u2066D\u200e") == "ABCD"
    assert strip_invisible("\u0645\u200c\u06cc") == "\u0645\u200c\u06cc"  # Persian ZWNJ
    assert look_alike_key("Ｙｅｓ") == look_alike_key("yes") == look_alike_key("Y\u0435s")
    assert look_alike_key("Yes") != look_alike_key("No")


async def test_names_are_stored_without_controls(bot: Bot) -> None:
    from bot.kernel.events import Actor, Command
    from tests.support.harness import GENERAL

    actor = Actor("console", "T1", "u1", "\u202eeve\u200b", is_admin=False)
    await bot.handle(Command(actor, "/crossfade settings", GENERAL))
    async with bot.db.uow() as uow:
        from sqlalchemy import select

        from bot.kernel.storage.models import Member

        names = list(await uow.session.scalars(select(Member.display_name)))
    assert names == ["eve"]


async def test_dashboard_says_what_it_means(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        :now 2026-03-04T17:00Z
        /crossfade checkin
        :press 4
        :press ok
        :press 6–8
        :press Yes
        :press Yes
        /crossfade me
        :advance 2d
        /crossfade me
        """,
    )
    first = after(out, "/crossfade me")
    assert "`Mon  2` before your first check-in" in first
    assert "Real breaks (7 days): 1 of 1 day\n" in first
    assert "🔥 Streak: 1 workday in a row (best 1)" in first
    assert "No check-in streak right now — check in today to start one." in out


def test_one_date_format_for_people() -> None:
    from datetime import date

    from bot.domain.parsing import format_day

    assert format_day(date(2026, 3, 2), date(2026, 1, 1)) == "Mon 2 Mar"
    assert format_day(date(2027, 1, 1), date(2026, 12, 30)) == "Fri 1 Jan 2027"


async def test_away_and_holidays_use_the_people_date(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade away 2026-03-10..2026-03-12
        /crossfade away 2026-12-30..2027-01-02
        /crossfade holidays DE-BY
        """,
    )
    assert "No DMs from Tue 10 Mar to Thu 12 Mar (3 days)" in out
    assert "No DMs from Wed 30 Dec to Sat 2 Jan 2027 (4 days)" in out
    assert "Next: Good Friday, Fri 3 Apr." in out
