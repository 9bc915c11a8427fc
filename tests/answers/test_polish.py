"""Issue 16, the polish list: help in plain words, fair percentages, DMs without the slash,
input hygiene and the remaining wording."""

from __future__ import annotations

import re
from pathlib import Path

from bot.flows import build_router
from bot.flows.help_text import EXPLAIN
from tests.answers.support import after, console


def test_every_usage_of_every_command_is_explained_without_jargon() -> None:
    router = build_router()
    usages = [u for spec in router.commands.values() for u in spec.usage]
    missing = [u for u in usages if u not in EXPLAIN]
    assert not missing, f"help_text.EXPLAIN has no words for {missing}"
    for spec in router.commands.values():
        words = " ".join([spec.summary, *(EXPLAIN[u] for u in spec.usage)])
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
