"""add industry_do_not_call (numbers on an industry do-not-call list, per source)

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-05 19:15:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0020'
down_revision: str | Sequence[str] | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('industry_do_not_call',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', 'number')
    )
    op.create_index(op.f('ix_industry_do_not_call_number'), 'industry_do_not_call', ['number'],
                    unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_industry_do_not_call_number'), table_name='industry_do_not_call')
    op.drop_table('industry_do_not_call')
