"""How a sender behaves: batch size, lease, deadlines, retries and rates (one per engine)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["SenderConfig"]


@dataclass(frozen=True)
class SenderConfig:
    batch_size: int = 100
    lease_ttl: timedelta = timedelta(seconds=30)
    call_timeout: float = 10.0  # seconds: every platform call, well inside the lease
    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds; doubles per attempt, with jitter
    backoff_max: float = 300.0
    # An uncertain row is retried soon: Discord's nonce only deduplicates for a few minutes.
    uncertain_backoff_max: float = 20.0
    default_rate: float = 20.0  # requests/s when a notifier does not say
    default_concurrency: int = 4  # per lane, when a notifier does not say
    max_in_flight: int = 16  # per process, across all lanes
    salt: str = ""  # per deployment: idempotency keys (set by the engine from the database)

    def backoff(self, attempts: int, uncertain: bool) -> float:
        """Seconds before the next attempt of a row tried ``attempts`` times."""
        cap = self.uncertain_backoff_max if uncertain else self.backoff_max
        delay = min(cap, self.backoff_base * 2.0 ** (attempts - 1))
        return delay * random.uniform(0.5, 1.0)  # jitter: retries of a burst spread out
