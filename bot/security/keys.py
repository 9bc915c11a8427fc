"""The server key, ``CROSSFADE_SECRET_KEY``: loading, rotation and purpose-bound sub-keys.

Several keys may be given, comma-separated, newest first: new data is written under the
first, and data written under an older one stays readable while that key is listed. Every
key is 32 random bytes in URL-safe base64 (what ``crossfade keygen`` prints).

No key is ever used directly: each use gets its own sub-key through HKDF-SHA256 with a
purpose label (``"secrets-at-rest"``, ``"pulse-participation"``, …), so a sub-key leaked for
one purpose says nothing about the others or about the key.

With PostgreSQL (production) a missing key stops start-up. With SQLite, the default for
trying the bot out, the first run writes a key file beside the database, readable by its
owner only, and says so once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "MissingServerKey",
    "ServerKeys",
    "ensure_server_keys",
    "generate_key",
    "get_server_keys",
    "key_file_for",
    "load_server_keys",
    "parse_keys",
    "set_server_keys",
]

log = logging.getLogger(__name__)

ENV = "CROSSFADE_SECRET_KEY"
KEY_BYTES = 32


class MissingServerKey(ValueError):
    """No usable server key: a person must set ``CROSSFADE_SECRET_KEY``."""


def generate_key() -> str:
    """A new server key (what ``crossfade keygen`` prints)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _decode(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        # Never echo the value: a mistyped key is still most of a key.
        raise MissingServerKey(
            f"{ENV} holds a value that is not a key (each key is 32 bytes in URL-safe "
            "base64): run `crossfade keygen` to make one"
        )
    return raw


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """The server's keys, newest first. ``key_id`` names a key without revealing it; a
    record that must stay bound to one key (a poll) stores that id."""

    keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise MissingServerKey(f"{ENV} is empty: run `crossfade keygen` to make a key")

    def __repr__(self) -> str:  # never print key material, even in a traceback
        return f"ServerKeys(ids={list(self.ids)})"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(_key_id(key) for key in self.keys)

    @property
    def current_id(self) -> str:
        return _key_id(self.keys[0])

    def subkey(self, purpose: str, key_id: str | None = None) -> bytes:
        """The 32-byte sub-key of ``purpose`` under the key ``key_id`` (default: newest).
        Raises ``KeyError`` when that key is no longer configured."""
        return _hkdf(self._key(key_id), purpose)

    def subkeys(self, purpose: str) -> list[bytes]:
        """The sub-key of ``purpose`` under every configured key, newest first."""
        return [_hkdf(key, purpose) for key in self.keys]

    def _key(self, key_id: str | None) -> bytes:
        if key_id is None:
            return self.keys[0]
        for key in self.keys:
            if _key_id(key) == key_id:
                return key
        raise KeyError(f"server key {key_id} is not configured")


@functools.lru_cache(maxsize=256)
def _hkdf(key: bytes, purpose: str) -> bytes:
    # Cached: a participation mark per answer would otherwise spend most of its time here.
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"crossfade", info=purpose.encode()
    ).derive(key)


def _key_id(key: bytes) -> str:
    # A hash of a derived value, so the id is no help in guessing the key.
    return hashlib.sha256(_hkdf(key, "key-id")).hexdigest()[:12]


def parse_keys(value: str) -> ServerKeys:
    """``CROSSFADE_SECRET_KEY``'s value (comma-separated, newest first)."""
    return ServerKeys(tuple(_decode(part.strip()) for part in value.split(",") if part.strip()))


def key_file_for(database_url: str) -> Path | None:
    """Where a SQLite database keeps its key: ``<database>.key`` beside it; ``None`` for an
    in-memory database (whose key lives as long as the process)."""
    _, _, path = database_url.partition(":///")
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path).with_name(Path(path).name + ".key")


def _key_file(path: Path) -> ServerKeys:
    with contextlib.suppress(FileNotFoundError):  # none yet: made below
        return parse_keys(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return parse_keys(path.read_text().strip())
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    log.warning(
        "created the server key %s (readable by you only): keep it with the database, "
        "and set %s in production",
        path,
        ENV,
    )
    return parse_keys(key)


def load_server_keys(secret_key: str, database_url: str) -> ServerKeys:
    """The keys from settings; with none, SQLite's key file and PostgreSQL's clear error."""
    if secret_key.strip():
        return parse_keys(secret_key)
    if not database_url.startswith("sqlite"):
        raise MissingServerKey(
            f"{ENV} is not set: run `crossfade keygen` and put what it prints in {ENV} "
            "(keep it out of the database and its backups)"
        )
    path = key_file_for(database_url)
    if path is None:
        return ServerKeys((secrets.token_bytes(KEY_BYTES),))
    return _key_file(path)


_current: ServerKeys | None = None


def set_server_keys(keys: ServerKeys | None) -> None:
    """Make ``keys`` the process's server keys (start-up does this once; tests may too)."""
    global _current
    _current = keys


def ensure_server_keys(secret_key: str, database_url: str) -> ServerKeys:
    """The process's keys, loaded for ``database_url`` if none are set yet (a Bot built
    without the bootstrap — tests, benchmarks — keeps its key file beside its database)."""
    global _current
    if _current is None:
        _current = load_server_keys(secret_key, database_url)
    return _current


# Where keys come from when nothing set them yet (a migration run by `crossfade db upgrade`,
# a script): the settings, which register themselves here (bot.kernel.settings) so that this
# layer needs no import of theirs. Returns (secret key, database URL).
_fallback: Callable[[], tuple[str, str]] | None = None


def load_from(source: Callable[[], tuple[str, str]]) -> None:
    """Tell :func:`get_server_keys` how to read the secret key and database URL."""
    global _fallback
    _fallback = source


def get_server_keys() -> ServerKeys:
    """The process's server keys, loaded from the settings on first use."""
    global _current
    if _current is None:
        if _fallback is None:
            raise RuntimeError("no server keys: set them, or import bot.kernel.settings first")
        _current = load_server_keys(*_fallback())
    return _current
