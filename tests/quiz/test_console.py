"""The quiz end to end in the console, as a person runs it: `crossfade console --script`."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import transcript

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def console(*args: str) -> str:
    return transcript(*args)


def in_order(out: str, *needles: str) -> None:
    position = 0
    for needle in needles:
        found = out.find(needle, position)
        assert found >= 0, f"{needle!r} not found after position {position}"
        position = found + len(needle)


def test_the_quiz_script_answers_goes_back_cancels_resumes_and_retakes() -> None:
    out = console("--script", str(EXAMPLES / "quiz.txt"))
    in_order(
        out,
        "1/10 · How is your work mostly judged?",
        "you pressed [Back]",
        "2/10 · When you stop working",
        "[1] ✓ Yes, it stays at work",  # the earlier answer is marked
        "you pressed [Cancel]",
        "Quiz cancelled — nothing was saved.",
        "You're partway through the quiz (question 5/10)",
        "you pressed [Continue]",
        "5/10 · Do you run a business",
        "Your result: Integration",
        "Why",
        "Tips for you",
        "you pressed [8 hours]",
        "/crossfade quiz",
        "You took the quiz on Mon 02 Mar 2026 (Integration)",
        "Your result: Balance",
        "you pressed [17:30]",
        "• Tue 03 Mar 2026 — Balance (current)",
        "• Mon 02 Mar 2026 — Integration",
        "1 person has taken the quiz so far",
        "2 more needed",
        "3 people have taken the quiz",
        "Balance: 2 (67%)",
        "Crossfade: 1 (33%)",
    )


def test_a_quiz_left_midway_resumes_in_a_new_process(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'quiz.db'}"
    first = console("--database", database, "--script", str(EXAMPLES / "quiz-restart-1.txt"))
    assert "4/10 · How often do you need to step out" in first
    assert "Your result" not in first
    second = console("--database", database, "--script", str(EXAMPLES / "quiz-restart-2.txt"))
    in_order(
        second,
        "You're partway through the quiz (question 4/10)",
        "4/10 · How often do you need to step out",
        "Your result: Integration",
        "Your result: Balance",
        "Balance (current)",
        "— Integration",
    )
