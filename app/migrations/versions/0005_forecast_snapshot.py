"""add forecast_snapshot

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:40:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('forecast_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('interval_minutes', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('intervals', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_snapshot_source'), ['source'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('forecast_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_snapshot_source'))

    op.drop_table('forecast_snapshot')
