"""add campaign, campaign_list_entry and product.days_past_due (campaign lists)

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-05 18:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0018'
down_revision: str | Sequence[str] | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('dial_mode', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('campaign_list_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('list_date', sa.Date(), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('reason_params', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    # no foreign keys on customer_id and agent_id: see CampaignListEntry in app/models.py
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('list_date', 'customer_id', name='uq_campaign_list_entry_day_customer')
    )
    op.create_index('ix_campaign_list_entry_campaign_day_rank', 'campaign_list_entry',
                    ['campaign_id', 'list_date', 'rank'], unique=False)
    op.create_index('ix_campaign_list_entry_agent_day', 'campaign_list_entry',
                    ['agent_id', 'list_date'], unique=False)
    with op.batch_alter_table('product') as batch:
        batch.add_column(sa.Column('days_past_due', sa.Integer(), server_default='0',
                                   nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('product') as batch:
        batch.drop_column('days_past_due')
    op.drop_index('ix_campaign_list_entry_agent_day', table_name='campaign_list_entry')
    op.drop_index('ix_campaign_list_entry_campaign_day_rank', table_name='campaign_list_entry')
    op.drop_table('campaign_list_entry')
    op.drop_table('campaign')
