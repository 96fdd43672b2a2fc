"""add interaction_outcome_summary (the standards report's and kpis' sums) and an index for FCR

Revision ID: 0019
Revises: 0020
Create Date: 2026-12-05 18:30:00.000000

Rows already in ``interaction`` are not summarised here: their whole span is marked stale (in
``interaction_summary_stale``, which both summaries read; not again when a mark covers it),
so the reports read them from the rows until ``contactops db rebuild-summaries`` runs.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0019'
down_revision: str | Sequence[str] | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_SUMS = ("offered", "answered", "abandoned", "callback_failed", "unserved", "short_abandoned",
         "wait_answered_micros", "wait_all_micros", "handled", "handle_nanos", "not_closed",
         "contacts", "inbound", "o_answered", "o_transferred", "o_handled", "o_handle_nanos",
         "o_talk_nanos", "o_offers_made", "o_cross_sell_sales", "o_up_sell_sales",
         "o_sales_micros", "o_connected", "o_outbound_positive", "o_complaints", "o_surveys",
         "o_survey_score_sum", "o_survey_top_two", "o_fcr_eligible", "o_fcr_repeated")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('interaction_outcome_summary',
    sa.Column('id', _ID, nullable=False),
    sa.Column('day', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('tier', sa.String(length=20), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('wait_bucket', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'queue', 'tier', 'agent_id', 'wait_bucket',
                        name='uq_interaction_outcome_summary_cell')
    )
    op.create_index('ix_interaction_customer_reason', 'interaction',
                    ['customer_key', 'reason', 'arrived_at'], unique=False)
    op.execute("INSERT INTO interaction_summary_stale (first_at, last_at) "
               "SELECT lo, hi FROM (SELECT min(arrived_at) AS lo, max(arrived_at) AS hi, "
               "count(*) AS n FROM interaction) AS span WHERE n > 0 AND NOT EXISTS ("
               "SELECT 1 FROM interaction_summary_stale AS s "
               "WHERE s.first_at <= span.lo AND s.last_at >= span.hi)")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_interaction_customer_reason', table_name='interaction')
    op.drop_table('interaction_outcome_summary')
