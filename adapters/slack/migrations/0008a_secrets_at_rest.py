"""Slack tokens at rest: the installation tokens encrypted with the server key.

The token columns become TEXT (a Fernet token of a 255-character secret is about 440
characters) and every stored value is encrypted in place. Values that already decrypt are
left alone, so running this twice (or after a partial run) changes nothing.

Revision ID: 0008a_secrets_at_rest
Revises: 0007_discord
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008a_secrets_at_rest"
down_revision = "0007_discord"
branch_labels = None
depends_on = None

COLUMNS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)


def _convert(encrypt: bool) -> None:
    from bot.security.secrets import SecretUnreadable, decrypt_secret, encrypt_secret

    bind = op.get_bind()
    table = sa.table("slack_installations", sa.column("id"), *(sa.column(c) for c in COLUMNS))
    rows = bind.execute(sa.select(table)).all()
    for row in rows:
        changes: dict[str, str] = {}
        for name in COLUMNS:
            value = getattr(row, name)
            if not value:
                continue
            try:
                plain = decrypt_secret(value)
                encrypted = True
            except SecretUnreadable:
                plain, encrypted = value, False
            if encrypt and not encrypted:
                changes[name] = encrypt_secret(value)
            elif not encrypt and encrypted:
                changes[name] = plain
        if changes:
            bind.execute(sa.update(table).where(table.c.id == row.id).values(**changes))


def upgrade() -> None:
    with op.batch_alter_table("slack_installations") as batch:
        for name in COLUMNS:
            batch.alter_column(
                name, existing_type=sa.String(length=255), type_=sa.Text(), existing_nullable=True
            )
    _convert(encrypt=True)


def downgrade() -> None:
    _convert(encrypt=False)
    with op.batch_alter_table("slack_installations") as batch:
        for name in COLUMNS:
            batch.alter_column(
                name, existing_type=sa.Text(), type_=sa.String(length=255), existing_nullable=True
            )
