"""add sip_account (agents' SIP digest accounts: username, realm, HA1)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0017'
down_revision: str | Sequence[str] | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('sip_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('realm', sa.String(length=100), nullable=False),
    sa.Column('ha1', sa.String(length=32), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sip_account_agent_id'), 'sip_account', ['agent_id'], unique=True)
    op.create_index(op.f('ix_sip_account_username'), 'sip_account', ['username'], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_sip_account_username'), table_name='sip_account')
    op.drop_index(op.f('ix_sip_account_agent_id'), table_name='sip_account')
    op.drop_table('sip_account')
