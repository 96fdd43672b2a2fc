"""add campaign_list_entry.claimed_by and claimed_at (the unassigned pool handed out)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 21:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0022'
down_revision: str | Sequence[str] | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('campaign_list_entry') as batch:
        batch.add_column(sa.Column('claimed_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_campaign_list_entry_claimed_day', 'campaign_list_entry',
                    ['claimed_by', 'list_date'], unique=False)
    # the open pool in rank order, walked by each claim (app.pool_claims)
    pool_open = sa.text("status = 'open' AND agent_id IS NULL")
    op.create_index('ix_campaign_list_entry_pool', 'campaign_list_entry',
                    ['campaign_id', 'list_date', 'rank'], unique=False,
                    postgresql_where=pool_open, sqlite_where=pool_open)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_campaign_list_entry_pool', table_name='campaign_list_entry')
    op.drop_index('ix_campaign_list_entry_claimed_day', table_name='campaign_list_entry')
    with op.batch_alter_table('campaign_list_entry') as batch:
        batch.drop_column('claimed_at')
        batch.drop_column('claimed_by')
