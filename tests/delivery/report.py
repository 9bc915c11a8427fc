"""Print figures from a test to the terminal, even without ``-s``."""

from __future__ import annotations

import pytest


def report(request: pytest.FixtureRequest, line: str) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\n  {line}")
    else:
        print(line)
