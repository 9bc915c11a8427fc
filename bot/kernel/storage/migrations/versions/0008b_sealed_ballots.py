"""Sealed ballots: per-poll key pairs, sealed ballots with
random ids, totals written only at close and only at k.

Open polls are carried over: each gets a key pair, and its counters become sealed ballots
(the counters themselves are deleted). Its participant hashes keep their old per-poll secret
until it closes. Closed polls that stayed below k lose their per-answer counters (only the
number of answers stays), as a poll closed from now on would.

Revision ID: 0008b_sealed_ballots
Revises: 0008a_secrets_at_rest
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0008b_sealed_ballots"
down_revision = "0008a_secrets_at_rest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch "recreate" of pulse_polls on SQLite would drop the table, and
    # the foreign keys would cascade that to askers, counters and participants.
    op.add_column("pulse_polls", sa.Column("key_id", sa.String(length=16), nullable=True))
    op.add_column(
        "pulse_polls", sa.Column("unreadable", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_table(
        "pulse_poll_keys",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["pulse_polls.id"],
            name=op.f("fk_pulse_poll_keys_poll_id_pulse_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_pulse_poll_keys_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", name=op.f("pk_pulse_poll_keys")),
    )
    op.create_table(
        "pulse_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["pulse_polls.id"],
            name=op.f("fk_pulse_ballots_poll_id_pulse_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_pulse_ballots_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_ballots")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_pulse_ballots_poll_id"), "pulse_ballots", ["poll_id"])
    _carry_over()


def _carry_over() -> None:
    bind = op.get_bind()
    polls = sa.table(
        "pulse_polls",
        sa.column("id"),
        sa.column("team_id"),
        sa.column("status"),
        sa.column("responses"),
        sa.column("k"),
        sa.column("key_id"),
    )
    counts = sa.table("pulse_counts", sa.column("poll_id"), sa.column("option"), sa.column("count"))
    keys_table = sa.table(
        "pulse_poll_keys",
        sa.column("poll_id"),
        sa.column("team_id"),
        sa.column("key_id"),
        sa.column("public_key"),
        sa.column("wrapped_key"),
    )
    ballots = sa.table(
        "pulse_ballots",
        sa.column("id"),
        sa.column("poll_id"),
        sa.column("team_id"),
        sa.column("sealed"),
    )
    for poll in bind.execute(sa.select(polls).where(polls.c.status == "closed")).all():
        if poll.responses < max(3, poll.k):
            bind.execute(sa.delete(counts).where(counts.c.poll_id == poll.id))
    open_polls = bind.execute(sa.select(polls).where(polls.c.status == "open")).all()
    if not open_polls:
        return
    from bot.security.ballots import new_poll_keys, seal_ballot
    from bot.security.keys import get_server_keys

    server = get_server_keys()
    for poll in open_polls:
        pair = new_poll_keys(server, team_id=poll.team_id, poll_id=poll.id)
        bind.execute(
            sa.insert(keys_table).values(
                poll_id=poll.id,
                team_id=poll.team_id,
                key_id=pair.key_id,
                public_key=pair.public_key,
                wrapped_key=pair.wrapped_private_key,
            )
        )
        rows = bind.execute(sa.select(counts).where(counts.c.poll_id == poll.id)).all()
        sealed = [
            {
                "id": secrets.token_hex(16),
                "poll_id": poll.id,
                "team_id": poll.team_id,
                "sealed": seal_ballot(
                    pair.public_key, int(row[1]), team_id=poll.team_id, poll_id=poll.id
                ),
            }
            for row in rows
            for _ in range(int(row[2]))
        ]
        if sealed:
            bind.execute(sa.insert(ballots), sealed)
        bind.execute(sa.delete(counts).where(counts.c.poll_id == poll.id))


def downgrade() -> None:
    op.drop_index(op.f("ix_pulse_ballots_poll_id"), table_name="pulse_ballots")
    op.drop_table("pulse_ballots")
    op.drop_table("pulse_poll_keys")
    op.drop_column("pulse_polls", "unreadable")
    op.drop_column("pulse_polls", "key_id")
