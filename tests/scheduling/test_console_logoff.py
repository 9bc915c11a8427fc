"""The console's `:advance` across a workday shows the heads-up, the reminder, a snooze and
its repeat, each stamped with its local time."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.console.runner import run_script, script_clock
from bot.bootstrap import build
from bot.kernel.settings import Settings

SCRIPT = """
/crossfade timezone Europe/Berlin
/crossfade logoff 17:30
:advance 7h30m
:press Snooze 15 min
:advance 15m
:press 1
/crossfade logoff
"""


async def test_console_workday(tmp_path: Path) -> None:
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", _env_file=None)  # type: ignore[call-arg]
    services = await build(settings, clock=script_clock())
    out = io.StringIO()
    try:
        assert await run_script(services, SCRIPT.strip().splitlines(), name="t", out=out) == 0
    finally:
        await services.close()
    transcript = out.getvalue()
    lines = transcript.splitlines()

    def index(fragment: str) -> int:
        return next(i for i, line in enumerate(lines) if fragment in line)

    heads_up = index("Wind-down: your log-off is at 17:30")
    reminder = index("17:30 — time to log off")
    snoozed = index("Snoozed until 17:45")
    repeat = index("It's 17:45 — snoozed reminder")
    logged = index("Logged off at 17:45")
    assert heads_up < reminder < snoozed < repeat < logged
    assert lines[heads_up - 1].startswith("[17:20 Mon] bot → you (DM)")
    assert lines[reminder - 1].startswith("[17:30 Mon] bot → you (DM)")
    assert lines[repeat - 1].startswith("[17:45 Mon] bot → you (DM)")
    assert "Skip today" in lines[reminder + 1]
    assert "Next reminder: tomorrow 17:30" in transcript
