"""Run `crossfade console` in a subprocess, as a person would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run_console(
    *args: str, stdin: str | None = None, timeout: int = 240
) -> subprocess.CompletedProcess[str]:
    """`python -m bot console ARGS…` from the repository root, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def transcript(*args: str) -> str:
    """The transcript of a console run that must succeed: exit 0, no traceback, and every
    `:press`/`:select` found what it was looking for (the console prints `  ! …` if not)."""
    result = run_console(*args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "  ! " not in result.stdout, result.stdout
    return result.stdout
