"""Run a console script in-process and return what a person would read."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

from adapters.console.runner import run_script, script_clock
from bot.bootstrap import build
from bot.kernel.settings import Settings

# A line a person typed, pressed or submitted (not one the bot wrote).
_TYPED = re.compile(r"^\[\d\d:\d\d \w{3}\] (?!bot )\S+ (\((#\S*|DM)\): |pressed |submitted )")


async def console(tmp_path: Path, script: str, *, expect_exit: int = 0) -> str:
    """The transcript of ``script`` (console syntax) from a fresh database."""
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", _env_file=None)  # type: ignore[call-arg]
    services = await build(settings, clock=script_clock())
    out = io.StringIO()
    try:
        lines = textwrap.dedent(script).strip().splitlines()
        assert await run_script(services, lines, name="t", out=out) == expect_exit
    finally:
        await services.close()
    transcript = out.getvalue()
    assert "Traceback" not in transcript
    assert "something went wrong" not in transcript.lower()
    return transcript


def after(transcript: str, typed: str) -> str:
    """What the bot answered to the line ``typed`` (up to the next line a person typed)."""
    lines = transcript.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(typed))
    answer: list[str] = []
    for line in lines[start + 1 :]:
        if _TYPED.match(line) or line.startswith("-- "):
            break
        answer.append(line)
    return "\n".join(answer)
