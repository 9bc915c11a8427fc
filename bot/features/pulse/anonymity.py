"""What anonymity means for one pulse poll, as pure rules: how many more answers a poll
needed to show its results (the k threshold itself is :mod:`bot.domain.anonymity`), and the
keyed voter hash of polls opened before sealed ballots (new polls use
``bot.security.ballots.participation_mark``)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.domain.anonymity import effective_k

__all__ = ["answers_needed", "needed_sentence", "new_secret", "voter_key"]


def answers_needed(responses: int, k: int) -> int:
    """How many more answers a poll needed before its results could be shown (0 if none)."""
    return max(0, effective_k(k) - responses)


def needed_sentence(responses: int, k: int) -> str:
    """“1 more answer was needed” / “3 more answers were needed”."""
    n = answers_needed(responses, k)
    return f"{n} more answer{' was' if n == 1 else 's were'} needed"


def new_secret() -> str:
    """A fresh per-poll key for :func:`voter_key` (hex, 256 bits). Only polls opened before
    sealed ballots have one; new polls use ``bot.security.ballots.participation_mark``."""
    return secrets.token_hex(32)


def voter_key(secret: str, *, team_id: int, poll_id: int, user_id: str) -> str:
    """Who answered, as a keyed hash: enough to refuse a second vote, never a member id.

    The key is the poll's own secret, so the same person hashes differently in every poll
    and the hashes cannot be compared across polls or recomputed once the secret is erased
    at close."""
    message = f"{team_id}\x1f{poll_id}\x1f{user_id}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()
