"""The server key and what is derived from it: secrets at rest, sealed pulse ballots and
keyed participation. The key itself never reaches the database, a log line or an export."""

from bot.security.keys import (
    MissingServerKey,
    ServerKeys,
    generate_key,
    get_server_keys,
    load_server_keys,
    set_server_keys,
)
from bot.security.secrets import SecretUnreadable, decrypt_secret, encrypt_secret

__all__ = [
    "MissingServerKey",
    "SecretUnreadable",
    "ServerKeys",
    "decrypt_secret",
    "encrypt_secret",
    "generate_key",
    "get_server_keys",
    "load_server_keys",
    "set_server_keys",
]
