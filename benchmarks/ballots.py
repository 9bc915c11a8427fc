"""Sealed ballots: how long sealing one answer and opening a poll's ballots at close take.

.venv/bin/python benchmarks/ballots.py [BALLOTS]
"""

from __future__ import annotations

import sys
import time

from bot.security.ballots import new_poll_keys, participation_mark, seal_ballot, unseal_ballots
from bot.security.keys import generate_key, parse_keys


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    keys = parse_keys(generate_key())
    pair = new_poll_keys(keys, team_id=1, poll_id=1)
    started = time.perf_counter()
    ballots = [seal_ballot(pair.public_key, i % 5, team_id=1, poll_id=1) for i in range(n)]
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(n):
        participation_mark(keys, pair.key_id, team_id=1, poll_id=1, user_id=f"U{i}")
    marked = time.perf_counter() - started
    started = time.perf_counter()
    result = unseal_ballots(keys, pair, ballots, options=5, team_id=1, poll_id=1)
    opened = time.perf_counter() - started
    assert sum(result.counts) == n and result.unreadable == 0
    print(f"ballots: {n}, {len(ballots[0])} bytes each")
    print(f"seal one answer:      {sealed / n * 1e6:8.1f} µs")
    print(f"participation mark:   {marked / n * 1e6:8.1f} µs")
    print(f"open all at close:    {opened * 1e3:8.1f} ms ({opened / n * 1e6:.1f} µs per ballot)")


if __name__ == "__main__":
    main()
