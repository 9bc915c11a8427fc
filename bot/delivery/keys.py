"""Idempotency keys for outbox rows: short, stable, salted per deployment.

The key names one outbox row to the platform — Discord's message ``nonce`` (at most 25
characters) and Slack's message ``metadata`` — so a resend of the same row can be
recognised. The salt (one random value per deployment, in the ``deployment`` table) keeps
two deployments that share a bot from ever producing the same key for their row 17.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["KEY_LENGTH", "delivery_key"]

KEY_LENGTH = 20  # Discord accepts nonces of up to 25 characters


def delivery_key(salt: str, row_id: int) -> str:
    """``cf`` + 18 base32 characters of a salted hash of the row id (90 bits)."""
    digest = hashlib.blake2b(f"{salt}:{row_id}".encode(), digest_size=12).digest()
    return "cf" + base64.b32encode(digest).decode("ascii").lower()[: KEY_LENGTH - 2]
