"""add site_hours, site_holiday and queue_hours (business hours and holidays per site)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('site_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=10), nullable=False),
    sa.Column('day_type', sa.String(length=10), nullable=False),
    sa.Column('ranges', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site', 'day_type')
    )
    op.create_index(op.f('ix_site_hours_site'), 'site_hours', ['site'], unique=False)
    op.create_table('site_holiday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('site', sa.String(length=10), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_site_holiday_day'), 'site_holiday', ['day'], unique=False)
    op.create_table('queue_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('day_type', sa.String(length=10), nullable=False),
    sa.Column('ranges', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('queue', 'day_type')
    )
    op.create_index(op.f('ix_queue_hours_queue'), 'queue_hours', ['queue'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_queue_hours_queue'), table_name='queue_hours')
    op.drop_table('queue_hours')
    op.drop_index(op.f('ix_site_holiday_day'), table_name='site_holiday')
    op.drop_table('site_holiday')
    op.drop_index(op.f('ix_site_hours_site'), table_name='site_hours')
    op.drop_table('site_hours')
