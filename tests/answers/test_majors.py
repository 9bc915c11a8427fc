"""A pulse never guesses, and a change of rules that silences a
reminder says so and offers the fix — seen through the console, as a person sees it."""

from __future__ import annotations

from pathlib import Path

from tests.answers.support import after, console


async def test_template_typo_asks_did_you_mean_and_posts_nothing(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade pulse ask workloadd
        /crossfade pulse ask self-care
        :press Ask `self_care`
        """,
    )
    first = after(out, "/crossfade pulse ask workloadd")
    assert "Did you mean the ready-made question `workload`" in first
    assert "bot → #general" not in first  # nothing public yet
    assert "[1] Ask `workload`  [2] Post my text as a question  [3] Cancel" in first
    second = after(out, "/crossfade pulse ask self-care")
    assert "`self_care`" in second
    assert "bot → #general" not in second
    # Using the template posts the template's question, not the typed word.
    assert "Did you have time for self-care this week?\n  [1] Yes  [2] No" in out
    assert "Anonymous pulse #1" in out and "Anonymous pulse #2" not in out


async def test_own_text_then_kind_buttons(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade pulse ask workloadd
        :press Post my text as a question
        :press Yes / no
        """,
    )
    assert "Which answers should “workloadd” take?" in out
    assert "  workloadd\n  [1] Yes  [2] No" in out
    # The choice message loses its buttons once used, so it cannot post twice.
    assert "bot updated m1 (#general)\n  Posted.\n" in out
    assert out.count("Anonymous pulse #") == 1


async def test_kind_word_alone_is_not_a_question(tmp_path: Path) -> None:
    out = await console(tmp_path, "/crossfade pulse ask yesno")
    assert "“yesno” is a kind of answer, not a question" in out
    assert "Anonymous pulse" not in out


async def test_question_without_kind_asks_which_kind(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade pulse ask "Q?"
        :press Cancel
        /crossfade pulse ask "How was the week?" closes 3d
        :press 1–5 scale
        /crossfade pulse ask "Lunch?"
        :press My own options…
        """,
    )
    assert "Which answers should “Q?” take? Nothing is posted until you choose." in out
    assert "Cancelled — nothing was posted." in out
    assert "How was the week?\n  _1 = not at all · 5 = completely_" in out
    assert "closes Thu 5 Mar, 09:00" in out  # the typed deadline was kept
    assert "bot → you (form)" in after(out, "pressed [My own options…] on m5") or "(form)" in out
    assert out.count("Anonymous pulse #") == 1


async def test_quiet_hours_that_silence_reminders_say_so_and_offer_the_fix(
    tmp_path: Path,
) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade logoff 19:00
        /crossfade checkin at 19:30
        :press Yes, my choice
        /crossfade quiet 18:00-08:00
        :press Move my log-off reminder to 17:30
        :press Keep as is (no DM)
        /crossfade logoff
        """,
    )
    answer = after(out, "/crossfade quiet 18:00-08:00")
    assert "Quiet hours set" in answer
    assert (
        "your log-off reminder (19:00) and your check-in (19:30) fall inside these quiet "
        "hours, so I won't send them" in answer
    )
    assert "[1] Move my log-off reminder to 17:30  [2] Move my check-in to 17:30" in answer
    assert "Log-off reminder set: 17:30" in out
    # After the move, the warning still offers what is left silent.
    assert "your check-in (19:30) falls inside these quiet hours" in out
    assert "Kept as it is: no DM while your quiet hours cover it." in out
    assert "Next reminder: today 17:30" in out


async def test_away_workdays_and_zone_say_when_reminders_come_next(tmp_path: Path) -> None:
    out = await console(
        tmp_path,
        """
        /crossfade logoff 17:30
        /crossfade checkin at 17:00
        /crossfade away 2026-03-02..2026-03-06
        /crossfade away off
        /crossfade workdays tue-fri
        /crossfade quiet 21:00-07:00
        """,
    )
    assert (
        "Your check-in next comes Mon 9 Mar 17:00; your log-off reminder next comes "
        "Mon 9 Mar 17:30." in after(out, "/crossfade away 2026-03-02..2026-03-06")
    )
    assert "next comes tomorrow 17:30" in after(out, "/crossfade workdays tue-fri")
    # A change that silences nothing adds nothing.
    assert after(out, "/crossfade quiet 21:00-07:00").count("\n") == 1


async def test_a_zone_change_into_quiet_hours_is_not_possible_but_said(tmp_path: Path) -> None:
    """Quiet hours and reminders are both local, so a new zone moves both together: the
    answer says when the reminder comes next instead of warning."""
    out = await console(
        tmp_path,
        """
        /crossfade logoff 17:30
        :now 2026-03-02T17:00Z
        /crossfade timezone Asia/Tokyo
        """,
    )
    answer = after(out, "/crossfade timezone Asia/Tokyo")
    assert "Time zone set: Asia/Tokyo" in answer
    assert "Your log-off reminder next comes today 17:30." in answer  # 02:00 Tue in Tokyo
