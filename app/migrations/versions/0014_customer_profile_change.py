"""add customer_profile_change (the profile refresh's change log: who changed what and when)
and the index ix_event_log_agent_at (an agent's events over a period: the day panel)

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-04 22:10:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('customer_profile_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.String(length=600), nullable=False),
    sa.Column('new_value', sa.String(length=600), nullable=False),
    sa.Column('changed_by', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contact_id', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_customer_profile_change_customer_at', 'customer_profile_change',
                    ['customer_id', 'at'], unique=False)
    op.create_index('ix_event_log_agent_at', 'event_log', ['agent_id', 'at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_event_log_agent_at', table_name='event_log')
    op.drop_index('ix_customer_profile_change_customer_at', table_name='customer_profile_change')
    op.drop_table('customer_profile_change')
