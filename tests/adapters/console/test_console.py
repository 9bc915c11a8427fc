"""The console as a person uses it: `crossfade console --script` in a subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.console import run_console

SCRIPT = """\
# the foundation's commands, several users and the clock
/crossfade help
/crossfade timezone Europe/Berln
:press Europe/Berlin
:press 1
/crossfade workdays funday
/crossfade workdays mon,wed,fri
/crossfade quiet 25:00-08:00
/crossfade quiet 21:00-07:30
/crossfade away 2026-12-31..2026-01-01
/crossfade away 2026-03-10..2026-03-12
:as alice
/crossfade timezone Asia/Kathmandu
/crossfade settings k 2
:as you
:now 2026-03-27T17:25+01:00
:advance 90m
/crossfade settings
hello there
"""


def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_console(*args, stdin=stdin, timeout=120)


def test_script_prints_a_readable_transcript(tmp_path: Path) -> None:
    script = tmp_path / "demo.txt"
    script.write_text(SCRIPT)
    result = run(["--script", str(script)])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    # every bot output: time and weekday in the recipient's zone, who and where
    assert "[09:00 Mon] bot → you (only you, #general)" in out
    assert "[10:00 Mon] you pressed [Europe/Berlin] on m2" in out
    assert "already Europe/Berlin" in out
    assert "I don't know the day “funday”" in out
    assert "Workdays set: Mon, Wed, Fri" in out
    assert "“25:00” isn't a time of day" in out
    assert "before the start" in out
    assert "[14:45 Mon] bot → alice (only you, #general)" in out  # Kathmandu is UTC+05:45
    assert "Only team admins" in out
    assert "-- clock set to 2026-03-27T17:25:00+01:00 --" in out
    assert "-- advanced 90m to Fri 2026-03-27 18:55 (Europe/Berlin) --" in out
    assert "[18:55 Fri] you (DM): hello there" in out
    assert "[18:55 Fri] bot → you (DM)" in out
    assert "  [1] Europe/Berlin" in out  # buttons are numbered


def test_malformed_line_exits_non_zero_with_its_number(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("/crossfade help\n\n:advance soon\n/crossfade help\n")
    result = run(["--script", str(script)])
    assert result.returncode == 2
    assert f"{script}:3:" in result.stderr and "duration" in result.stderr
    assert result.stdout.count("you (#general): /crossfade help") == 1  # stopped there


def test_script_on_standard_input() -> None:
    result = run([], stdin="/crossfade timezone Kathmandu\n:bogus\n")
    assert "Time zone set: Asia/Kathmandu" in result.stdout
    assert result.returncode == 2 and "<stdin>:2: unknown directive" in result.stderr


def test_scripts_start_from_an_empty_database(tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("/crossfade quiet off\n")
    first = run(["--script", str(script)])
    second = run(["--script", str(script)])
    assert "Quiet hours off" in first.stdout and "Quiet hours off" in second.stdout


def test_control_and_bidi_characters_are_shown_not_obeyed(tmp_path: Path) -> None:
    """A pulse question with an escape sequence and a right-to-left override: the transcript
    shows their codes, so nothing recolours the terminal or reorders the text."""
    script = tmp_path / "inert.txt"
    question = "Fine\x1b[2J\x1b[31m or \u202etxet desrever\u202c?"
    script.write_text(f'/crossfade pulse ask "{question}" yesno\n', encoding="utf-8")
    result = run(["--script", str(script)])
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "\\u001b[2J" in result.stdout and "\\u202etxet desrever" in result.stdout
