"""Secrets at rest (platform tokens): encrypted with Fernet under a sub-key of the server
key; MultiFernet reads what any configured key wrote, so a rotation loses nothing.

A Fernet token carries its creation time in clear. That is harmless for a token installed by
an admin, and the reason this is never used on the pulse answer path (see ``ballots``).
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from bot.security.keys import ServerKeys, get_server_keys

__all__ = ["EncryptedText", "SecretUnreadable", "decrypt_secret", "encrypt_secret"]

PURPOSE = "secrets-at-rest"


class SecretUnreadable(ValueError):
    """A stored secret that no configured server key can decrypt."""


def _fernet(keys: ServerKeys) -> MultiFernet:
    import base64

    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys.subkeys(PURPOSE)])


def encrypt_secret(value: str, keys: ServerKeys | None = None) -> str:
    """``value`` encrypted under the newest server key (URL-safe text, ~1.4× + 100 chars)."""
    return _fernet(keys or get_server_keys()).encrypt(value.encode()).decode()


def decrypt_secret(token: str, keys: ServerKeys | None = None) -> str:
    """What :func:`encrypt_secret` encrypted, under any configured key."""
    try:
        return _fernet(keys or get_server_keys()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with CROSSFADE_SECRET_KEY "
            "(was the key changed without keeping the old one after a comma?)"
        ) from error


class EncryptedText(TypeDecorator[str]):
    """A column whose value is stored encrypted (see :func:`encrypt_secret`)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt_secret(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decrypt_secret(str(value))
