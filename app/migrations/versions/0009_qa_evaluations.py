"""qa evaluations

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04 19:08:24.494236

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('qa_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_form_key'), ['key'], unique=True)

    op.create_table('qa_form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['qa_form.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('form_id', 'version')
    )
    with op.batch_alter_table('qa_form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_form_version_form_id'), ['form_id'], unique=False)

    op.create_table('qa_calibration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=40), nullable=False),
    sa.Column('expert', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['form_version_id'], ['qa_form_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_calibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_calibration_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_calibration_form_version_id'), ['form_version_id'], unique=False)

    op.create_table('qa_evaluation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=40), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('contact_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluator', sa.String(length=40), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('calibration_id', sa.Integer(), nullable=True),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('raw_total', sa.Float(), nullable=True),
    sa.Column('critical_score', sa.Float(), nullable=True),
    sa.Column('non_critical_score', sa.Float(), nullable=True),
    sa.Column('fatal_failed', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['calibration_id'], ['qa_calibration.id'], ),
    sa.ForeignKeyConstraint(['form_version_id'], ['qa_form_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_qa_evaluation_agent_contact_at', ['agent_id', 'contact_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_calibration_id'), ['calibration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_evaluated_at'), ['evaluated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_form_version_id'), ['form_version_id'], unique=False)

    op.create_table('qa_acknowledgement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('evaluation_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['qa_evaluation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_acknowledgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_acknowledgement_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('qa_answer',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('evaluation_id', sa.BigInteger(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=4), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['qa_evaluation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('evaluation_id', 'question_id')
    )
    with op.batch_alter_table('qa_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_answer_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_answer_question_id'), ['question_id'], unique=False)

    op.create_table('qa_coaching_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=40), nullable=False),
    sa.Column('contact_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluation_id', sa.BigInteger(), nullable=True),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=40), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ),
    sa.ForeignKeyConstraint(['evaluation_id'], ['qa_evaluation.id'], ),
    sa.ForeignKeyConstraint(['form_id'], ['qa_form.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_coaching_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_coaching_session_agent_id'), ['agent_id'], unique=False)

    op.create_table('qa_coaching_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['qa_coaching_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_coaching_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_coaching_point_session_id'), ['session_id'], unique=False)

    op.create_table('qa_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=40), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['qa_coaching_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_follow_up_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_follow_up_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('qa_follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_follow_up_session_id'))
        batch_op.drop_index(batch_op.f('ix_qa_follow_up_due_on'))

    op.drop_table('qa_follow_up')
    with op.batch_alter_table('qa_coaching_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_coaching_point_session_id'))

    op.drop_table('qa_coaching_point')
    with op.batch_alter_table('qa_coaching_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_coaching_session_agent_id'))

    op.drop_table('qa_coaching_session')
    with op.batch_alter_table('qa_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_answer_question_id'))
        batch_op.drop_index(batch_op.f('ix_qa_answer_evaluation_id'))

    op.drop_table('qa_answer')
    with op.batch_alter_table('qa_acknowledgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_acknowledgement_evaluation_id'))

    op.drop_table('qa_acknowledgement')
    with op.batch_alter_table('qa_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_form_version_id'))
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_evaluated_at'))
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_contact_id'))
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_calibration_id'))
        batch_op.drop_index('ix_qa_evaluation_agent_contact_at')

    op.drop_table('qa_evaluation')
    with op.batch_alter_table('qa_calibration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_calibration_form_version_id'))
        batch_op.drop_index(batch_op.f('ix_qa_calibration_contact_id'))

    op.drop_table('qa_calibration')
    with op.batch_alter_table('qa_form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_form_version_form_id'))

    op.drop_table('qa_form_version')
    with op.batch_alter_table('qa_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_form_key'))

    op.drop_table('qa_form')
