"""add lead (a follow-up of an offer, for outbound work)

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-04 22:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('lead',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger(), nullable=False),
    sa.Column('offer', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source_contact_id', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lead_customer_id'), 'lead', ['customer_id'], unique=False)
    op.create_index(op.f('ix_lead_created_by'), 'lead', ['created_by'], unique=False)
    op.create_index(op.f('ix_lead_source_contact_id'), 'lead', ['source_contact_id'],
                    unique=False)
    op.create_index('ix_lead_status_due_on', 'lead', ['status', 'due_on'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_lead_status_due_on', table_name='lead')
    op.drop_index(op.f('ix_lead_source_contact_id'), table_name='lead')
    op.drop_index(op.f('ix_lead_created_by'), table_name='lead')
    op.drop_index(op.f('ix_lead_customer_id'), table_name='lead')
    op.drop_table('lead')
