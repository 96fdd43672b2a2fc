"""add routing_settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:40:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('routing_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection', sa.String(length=40), nullable=False),
    sa.Column('ring_timeout_seconds', sa.Float(), nullable=True),
    sa.Column('ageing_seconds_per_level', sa.Float(), nullable=True),
    sa.Column('preferred_agent_wait_seconds', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('routing_settings')
