"""Sealed pulse ballots and keyed participation marks.

A poll gets its own X25519 key pair when it opens. Its private key is stored only wrapped
(AES-GCM under a sub-key of the server key the poll was created under), so the database
alone can open nothing. An answer is sealed to the poll's public key with HPKE (RFC 9180,
``cryptography``'s implementation, base mode): a fresh ephemeral key per ballot, so two
ballots with the same answer share no byte. The plaintext has one fixed length whatever the
answer, hence so has every ballot. Nothing here carries a timestamp (unlike a Fernet token).

"Has answered" is an HMAC-SHA256 of (team, poll, person) under a sub-key of that same server
key: the same person gives a different mark in every poll, and without the server key the
marks cannot be tied to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.security.keys import ServerKeys

__all__ = [
    "BALLOT_BYTES",
    "PollKeys",
    "Unsealed",
    "new_poll_keys",
    "participation_mark",
    "seal_ballot",
    "unseal_ballots",
]

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
_VERSION = 1
_PLAIN_BYTES = 16  # version, answer (2 bytes), zero padding: one length for every answer
_WRAP = "pulse-poll-key"
_MARK = "pulse-participation"
_RAW = serialization.Encoding.Raw
# enc (32) + plaintext + AEAD tag (16)
BALLOT_BYTES = 32 + _PLAIN_BYTES + 16


@dataclass(frozen=True, slots=True)
class PollKeys:
    """What a poll stores while it is open: its public key and its wrapped private key."""

    key_id: str
    public_key: bytes
    wrapped_private_key: bytes


@dataclass(frozen=True, slots=True)
class Unsealed:
    """The outcome of opening a poll's ballots: counts per answer and how many could not be
    read (a wrong key, a truncated or foreign row, an answer out of range)."""

    counts: tuple[int, ...]
    unreadable: int


def _context(team_id: int, poll_id: int) -> bytes:
    # Binds a ballot and a wrapped key to one poll: copied into another poll, they fail.
    return f"crossfade-pulse\x1f{team_id}\x1f{poll_id}".encode()


def new_poll_keys(keys: ServerKeys, *, team_id: int, poll_id: int) -> PollKeys:
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    nonce = os.urandom(12)
    wrapped = nonce + AESGCM(keys.subkey(_WRAP)).encrypt(nonce, raw, _context(team_id, poll_id))
    public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    return PollKeys(keys.current_id, public, wrapped)


def seal_ballot(public_key: bytes, option: int, *, team_id: int, poll_id: int) -> bytes:
    """One answer, sealed: ``BALLOT_BYTES`` long whatever ``option`` is."""
    if not 0 <= option < 1 << 16:
        raise ValueError("no such answer")
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    plain = bytes([_VERSION]) + option.to_bytes(2, "big") + bytes(_PLAIN_BYTES - 3)
    sealed = SUITE.encrypt(
        plain, X25519PublicKey.from_public_bytes(public_key), info=_context(team_id, poll_id)
    )
    assert len(sealed) == BALLOT_BYTES
    return sealed


def _private_key(
    keys: ServerKeys, stored: PollKeys, *, team_id: int, poll_id: int
) -> X25519PrivateKey | None:
    try:
        wrap = AESGCM(keys.subkey(_WRAP, stored.key_id))
        blob = stored.wrapped_private_key
        raw = wrap.decrypt(blob[:12], blob[12:], _context(team_id, poll_id))
        return X25519PrivateKey.from_private_bytes(raw)
    except (KeyError, InvalidTag, ValueError):
        return None


def unseal_ballots(
    keys: ServerKeys,
    stored: PollKeys | None,
    ballots: Iterable[bytes],
    *,
    options: int,
    team_id: int,
    poll_id: int,
) -> Unsealed:
    """Open every ballot in memory. Never raises for a bad ballot: it is counted apart."""
    counts = [0] * options
    unreadable = 0
    private = _private_key(keys, stored, team_id=team_id, poll_id=poll_id) if stored else None
    info = _context(team_id, poll_id)
    for ballot in ballots:
        option = _open(private, bytes(ballot), info) if private is not None else None
        if option is None or not 0 <= option < options:
            unreadable += 1
        else:
            counts[option] += 1
    return Unsealed(tuple(counts), unreadable)


def _open(private: X25519PrivateKey, ballot: bytes, info: bytes) -> int | None:
    if len(ballot) != BALLOT_BYTES:
        return None
    try:
        plain = SUITE.decrypt(ballot, private, info=info)
    except (InvalidTag, ValueError):
        return None
    if len(plain) != _PLAIN_BYTES or plain[0] != _VERSION or any(plain[3:]):
        return None
    return int.from_bytes(plain[1:3], "big")


def participation_mark(
    keys: ServerKeys, key_id: str, *, team_id: int, poll_id: int, user_id: str
) -> str:
    """The keyed hash that says "this person answered this poll" (hex). Raises ``KeyError``
    when the poll's server key is no longer configured."""
    message = f"{team_id}\x1f{poll_id}\x1f{user_id}".encode()
    return hmac.new(keys.subkey(_MARK, key_id), message, hashlib.sha256).hexdigest()
