"""Run the console: a script (file or piped standard input) or an interactive session."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Iterable
from typing import TextIO

from adapters.console.app import ConsoleApp, ScriptError
from bot.kernel.clock import FakeClock
from bot.kernel.services import Services

__all__ = ["interactive", "run_script"]

BANNER = """Crossfade console — you are `you` (a team admin) in #general.
Type /crossfade help. Directives: :as NAME, :in #channel|dm, :press LABEL|N, :select LABEL,
:fill k=v …, :submit, :now ISO-TIME, :advance 90m. Ctrl-D quits."""


async def run_script(services: Services, lines: Iterable[str], *, name: str, out: TextIO) -> int:
    """Execute a script; returns 0, or 2 after reporting a malformed line as ``name:N: …``."""
    app = ConsoleApp(services, out=out)
    for number, line in enumerate(lines, 1):
        try:
            await app.line(line)
        except ScriptError as error:
            sys.stderr.write(f"{name}:{number}: {error}\n")
            return 2
    return 0


async def interactive(services: Services, *, out: TextIO) -> int:
    app = ConsoleApp(services, out=out)
    out.write(BANNER + "\n")
    await services.engine.start()
    while True:
        try:
            line = await read_line(f"{app.current}> ")
        except EOFError:
            out.write("\nbye\n")
            return 0
        except KeyboardInterrupt:
            return 0
        try:
            await app.line(line)
        except ScriptError as error:
            out.write(f"  ! {error}\n")


async def read_line(prompt: str) -> str:
    """``input(prompt)`` without blocking the event loop or the exit: it runs in a daemon
    thread (not the default executor, whose shutdown would wait for a line that never
    comes), so Ctrl-C ends the session at once."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(value: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value or "")

    def read() -> None:
        try:
            value = input(prompt)
        except BaseException as error:  # EOFError, or the loop is gone
            loop.call_soon_threadsafe(settle, None, error)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(settle, value, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return await future


def script_clock() -> FakeClock:
    """Scripts start at a fixed, documented instant so transcripts are reproducible:
    Monday 2 March 2026, 09:00 UTC (set another with `:now`)."""
    from datetime import UTC, datetime

    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
