"""Ctrl-C in the interactive console (a real terminal: a pty) ends it within 2 seconds."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import time
from pathlib import Path

from tests.ops.support import CROSSFADE, clean_env


def _read_until(fd: int, needle: bytes, within: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + within
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, seen
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
    return seen


def _wait_exit(pid: int, within: float) -> int | None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.02)
    return None


def test_ctrl_c_ends_the_console_at_once(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/console.db", TERM="dumb")
    status: int | None = None
    pid, fd = pty.fork()
    if pid == 0:  # the child: `crossfade console` on the pty as its terminal
        os.chdir(tmp_path)
        os.execve(CROSSFADE, [CROSSFADE, "console"], env)
    try:
        _read_until(fd, b"you> ", within=60)
        os.write(fd, b"/crossfade help\r")
        _read_until(fd, b"you> ", within=30)
        started = time.monotonic()
        os.write(fd, b"\x03")  # Ctrl-C, through the terminal's line discipline
        status = _wait_exit(pid, within=2.0)
        elapsed = time.monotonic() - started
        assert status is not None, "the console was still running 2 s after Ctrl-C"
        assert elapsed < 2.0
        assert os.WIFEXITED(status), status
        rest = b""
        with contextlib.suppress(OSError):  # the terminal closed with the child: nothing left
            rest = os.read(fd, 65536)
        assert b"Traceback" not in rest, rest
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    # The REPL used DATABASE_URL (not a throwaway database): the session is kept.
    assert (tmp_path / "console.db").exists()
