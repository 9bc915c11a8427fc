"""Run the real ``crossfade`` console script in a subprocess, in a clean directory and
environment, as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CROSSFADE = str(Path(sys.executable).parent / "crossfade")
# Variables a developer's shell might carry that would change what the bot does.
_PREFIXES = ("SLACK_", "DISCORD_", "CROSSFADE_", "DATABASE_URL", "LOG_", "PORT", "METRICS_")


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PREFIXES)}
    env.update(values)
    return env


def crossfade(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60, **kw: Any
) -> subprocess.CompletedProcess[str]:
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        [CROSSFADE, *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """The run failed with ``code``, printed exactly one line on stderr containing every
    needle, and no traceback anywhere."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == code, (result.returncode, output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
