"""The quiet-hours move, as a person sees it in the console: a snooze that lands in quiet
hours waits until they end; one whose quiet hours last past the day is dropped, and `logoff`
says why."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.console.runner import run_script, script_clock
from bot.bootstrap import build
from bot.kernel.settings import Settings

SCRIPT = """
/crossfade timezone Europe/Berlin
/crossfade logoff 17:30
/crossfade quiet 17:50-18:30
:advance 7h30m
:press Snooze 15 min
:advance 15m
:press Snooze 15 min
/crossfade logoff
:advance 45m
:press Snooze 15 min
/crossfade quiet 18:40-18:55
:advance 15m
/crossfade logoff
:advance 10m
:press Snooze 15 min
/crossfade quiet 19:00-07:00
:advance 20m
/crossfade logoff
"""


async def test_console_quiet_hours_move_and_drop(tmp_path: Path) -> None:
    settings = Settings(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'q.db'}", _env_file=None)  # type: ignore[call-arg]
    services = await build(settings, clock=script_clock())
    out = io.StringIO()
    try:
        assert await run_script(services, SCRIPT.strip().splitlines(), name="q", out=out) == 0
    finally:
        await services.close()
    transcript = out.getvalue()
    assert "Traceback" not in transcript
    lines = transcript.splitlines()

    def dm_at(clock: str) -> bool:
        return any(line.startswith(f"[{clock} Mon] bot → you (DM)") for line in lines)

    # Snoozed at 17:45 into quiet hours 17:50–18:30: moved to their end, and said so.
    assert "18:00 is inside your quiet hours, so I'll remind you at 18:30, when they end." in (
        transcript
    )
    assert "Next reminder: today 18:30" in transcript
    assert not dm_at("18:00") and dm_at("18:30")
    # Quiet hours set after the snooze (18:45 now inside 18:40–18:55): the engine moves it.
    assert "Next reminder: today 18:55" in transcript
    assert not dm_at("18:45") and dm_at("18:55")
    # Quiet hours that last until tomorrow: dropped, and `logoff` says why.
    assert not dm_at("19:10")
    assert (
        "Not sent today: your snoozed reminder at 19:10 — it fell in your quiet hours "
        "(19:00–07:00), and they last past the end of that day." in transcript
    )
    assert "Next reminder: tomorrow 17:30" in transcript.split("Not sent today")[1]
