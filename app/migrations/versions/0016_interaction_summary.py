"""add interaction_summary and interaction_summary_stale (the report pages' sums)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 22:00:00.000000

Rows already in ``interaction`` are not summarised here: their whole span is marked stale,
so the reports read them from the rows until ``contactops db rebuild-summaries`` runs.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_SUMS = ("offered", "answered", "abandoned", "callback_failed", "unserved", "short_abandoned",
         "wait_answered_micros", "wait_all_micros", "handled", "handle_nanos", "not_closed")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('interaction_summary',
    sa.Column('id', _ID, nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('wait_bucket', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('grain', 'period_start', 'queue', 'tier', 'wait_bucket',
                        name='uq_interaction_summary_cell')
    )
    op.create_table('interaction_summary_stale',
    sa.Column('id', _ID, nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_interaction_summary_stale_first_at'), 'interaction_summary_stale',
                    ['first_at'], unique=False)
    op.create_index(op.f('ix_interaction_summary_stale_last_at'), 'interaction_summary_stale',
                    ['last_at'], unique=False)
    op.create_index('ix_interaction_direction_arrived', 'interaction',
                    ['direction', 'arrived_at'], unique=False)
    op.execute("INSERT INTO interaction_summary_stale (first_at, last_at) "
               "SELECT min(arrived_at), max(arrived_at) FROM interaction HAVING count(*) > 0")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_interaction_direction_arrived', table_name='interaction')
    op.drop_index(op.f('ix_interaction_summary_stale_last_at'),
                  table_name='interaction_summary_stale')
    op.drop_index(op.f('ix_interaction_summary_stale_first_at'),
                  table_name='interaction_summary_stale')
    op.drop_table('interaction_summary_stale')
    op.drop_table('interaction_summary')
