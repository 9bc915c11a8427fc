"""Content files: the built-in ones are valid; a broken one gives a precise error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.bootstrap import build
from bot.content import ContentError
from bot.features.quiz.content import BUILTIN_DIR, load_content
from bot.features.quiz.content.schema import RESULT_KINDS
from bot.features.quiz.scoring import HARD_RULE_FLAGS
from bot.kernel.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
QUIZ = (BUILTIN_DIR / "quiz.yaml").read_text(encoding="utf-8")
TIPS = (BUILTIN_DIR / "tips.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def broken(tmp_path: Path, *, quiz: str = QUIZ, tips: str = TIPS) -> ContentError:
    (tmp_path / "quiz.yaml").write_text(quiz, encoding="utf-8")
    (tmp_path / "tips.yaml").write_text(tips, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(tmp_path)
    return caught.value


def test_the_built_in_content_is_valid_and_complete() -> None:
    content = load_content()
    assert 8 <= len(content.questions) <= 12
    assert set(content.quiz.results) == set(RESULT_KINDS)
    raised = {f for q in content.questions for a in q.answers for f in a.flags}
    for flag in HARD_RULE_FLAGS:
        assert flag in raised and flag in content.quiz.warnings
    # the four tips of the source text, by the ids other features use
    assert {t.id for t in content.tips} >= {
        "set_boundaries",
        "prioritize_self_care",
        "communicate",
        "know_your_limits",
    }
    # every answer fits on a button everywhere and in a button value
    for question in content.questions:
        for answer in question.answers:
            assert len(f"✓ {answer.label}") <= 75
            assert len(f"quiz:answer|abcdef12.11.{answer.id}") <= 100


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    text = QUIZ.replace("why: Your job is judged partly", "why: Your job: is judged partly")
    error = broken(tmp_path, quiz=text)
    message = str(error)
    assert f"{tmp_path / 'quiz.yaml'}, line {line_of(text, 'Your job: is')}" in message
    assert "not valid YAML" in message
    assert "Traceback" not in message


def test_a_bad_score_names_question_answer_and_line(tmp_path: Path) -> None:
    text = QUIZ.replace(
        "        score: 2\n        flags: [outcome_based]",
        "        score: 9\n        flags: [outcome_based]",
    )
    error = broken(tmp_path, quiz=text)
    [problem] = error.problems
    assert problem.line == line_of(text, "score: 9")
    assert problem.place == "questions[measured].answers[outcomes].score"
    assert "less than or equal to 3" in problem.message and "found: 9" in problem.message


def test_a_bare_no_is_explained_as_yaml_reading_false(tmp_path: Path) -> None:
    error = broken(tmp_path, quiz=QUIZ.replace('label: "No"', "label: No"))
    [problem] = error.problems
    assert problem.place == "questions[side_work].answers[none].label"
    assert "read it as false" in problem.message and "quotes" in problem.message


def test_an_answer_too_long_for_a_button(tmp_path: Path) -> None:
    long = "Partly hours, partly results, partly the phase of the moon and the tides too"
    error = broken(
        tmp_path, quiz=QUIZ.replace("label: Partly hours, partly results", f"label: {long}")
    )
    [problem] = error.problems
    assert problem.place == "questions[measured].answers[mix].label"
    assert problem.message == f"String should have at most 72 characters (it has {len(long)})"


def test_a_misspelt_and_a_missing_key_are_both_reported(tmp_path: Path) -> None:
    text = QUIZ.replace("    text: Where do you do most", "    txet: Where do you do most")
    error = broken(tmp_path, quiz=text)
    messages = {p.place: p.message for p in error.problems}
    assert messages["questions[where].text"] == "`text` is missing"
    assert "unknown key `txet`" in messages["questions[where].txet"]
    assert all(
        p.line == line_of(text, "id: where") or p.line == line_of(text, "txet")
        for p in error.problems
    )


def test_duplicate_ids_and_undeclared_flags(tmp_path: Path) -> None:
    text = QUIZ.replace("  - id: rigid\n", "  - id: dinner\n").replace(
        "flags: [side_business, heavy_load]", "flags: [side_busines, heavy_load]"
    )
    error = broken(tmp_path, quiz=text)
    message = str(error)
    assert "the question id `dinner` is used twice" in message
    assert "questions[side_work].answers[big].flags[#1]" in message
    assert "the flag `side_busines` is not declared" in message
    assert f"line {line_of(text, '[side_busines,')}" in message


def test_a_key_written_twice_is_not_silently_dropped(tmp_path: Path) -> None:
    text = QUIZ.replace(
        "    text: How is your work mostly judged?\n",
        "    text: How is your work mostly judged?\n    text: Second copy\n",
    )
    error = broken(tmp_path, quiz=text)
    assert "the key `text` appears twice" in str(error)
    assert error.problems[0].line == line_of(text, "Second copy")


def test_removing_a_hard_rule_is_refused(tmp_path: Path) -> None:
    text = QUIZ.replace("flags: [ruminates]", "flags: []").replace(
        "flags: [ruminates, blurred_boundaries]", "flags: [blurred_boundaries]"
    )
    error = broken(tmp_path, quiz=text)
    assert "no answer raises the flag `ruminates`" in str(error)


def test_thresholds_that_make_a_result_unreachable(tmp_path: Path) -> None:
    text = QUIZ.replace("integration_at_least: 4", "integration_at_least: 40")
    error = broken(tmp_path, quiz=text)
    assert "no answer sheet can reach Integration: totals run from -16 to 13" in str(error)
    assert error.problems[0].line == line_of(text, "thresholds:")


def test_too_few_questions(tmp_path: Path) -> None:
    head, _, _ = QUIZ.partition("  - id: where\n")
    error = broken(tmp_path, quiz=head)
    assert "questions" in str(error) and "at least 8" in str(error)


def test_tips_naming_an_unknown_flag_or_leaving_a_result_uncovered(tmp_path: Path) -> None:
    tips = (
        TIPS.replace("results: [integration, crossfade]", "results: [crossfade]")
        .replace("results: [integration]\n", "results: []\n")
        .replace("flags: [side_business, heavy_load, high_stress]", "flags: [sidebiz]")
    )
    error = broken(tmp_path, tips=tips)
    message = str(error)
    assert str(tmp_path / "tips.yaml") in message
    assert "tips[know_your_limits].flags[#1]" in message and "`sidebiz`" in message
    assert "no tip lists `integration`" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "the file is empty"), ("- a\n- b\n", "must be a mapping"), ("tips: [", "not valid YAML")],
)
def test_empty_and_shapeless_files(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in str(broken(tmp_path, tips=text))


def test_an_override_directory_falls_back_per_file_but_must_exist(tmp_path: Path) -> None:
    (tmp_path / "tips.yaml").write_text(TIPS.replace("Set boundaries", "Grenzen setzen"))
    content = load_content(tmp_path)
    assert content.files["tips"] == tmp_path / "tips.yaml"
    assert content.files["quiz"] == BUILTIN_DIR / "quiz.yaml"
    assert content.tip("set_boundaries").title == "Grenzen setzen"  # type: ignore[union-attr]
    with pytest.raises(ContentError, match="does not exist"):
        load_content(tmp_path / "nope")


async def test_a_broken_file_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "quiz.yaml").write_text(QUIZ.replace("score: -2", "score: many", 1))
    settings = Settings(  # type: ignore[call-arg]
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        CROSSFADE_CONTENT_DIR=str(tmp_path),
        _env_file=None,
    )
    with pytest.raises(
        ContentError, match=r"line \d+ \(questions\[measured\]\.answers\[hours\]\.score\)"
    ):
        await build(settings)


def test_the_cli_prints_the_problem_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "quiz.yaml").write_text(QUIZ.replace("score: -2", "score: many", 1))
    script = tmp_path / "s.txt"
    script.write_text("/crossfade quiz\n")
    env = {"CROSSFADE_CONTENT_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--script", str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert (
        "quiz.yaml, line" in done.stderr
        and "questions[measured].answers[hours].score" in done.stderr
    )


def test_python_m_bot_content_checks_a_directory(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot.content"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert ok.returncode == 0 and ok.stdout.startswith("OK: 10 questions")
    (tmp_path / "tips.yaml").write_text("tips: []\n")
    bad = subprocess.run(
        [sys.executable, "-m", "bot.content", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert bad.returncode == 1 and "tips.yaml, line 1 (tips)" in bad.stderr
