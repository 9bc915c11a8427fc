"""Every golden output (help, the Discord command tree, the Slack manifests, every example's
console transcript) is what was frozen in ``tests/golden/files/``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.golden.capture import FILES, producers

PRODUCERS = list(producers())


@pytest.mark.parametrize(("name", "produce"), PRODUCERS, ids=[name for name, _ in PRODUCERS])
def test_golden_output_is_unchanged(name: str, produce: Callable[[], str]) -> None:
    expected = (FILES / name).read_text(encoding="utf-8")
    assert produce() == expected, (
        f"{name} changed. If the change is deliberate, run "
        "`python -m tests.golden.capture --write` and review the diff."
    )
