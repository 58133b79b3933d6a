"""qc_reviews: the photographer's confirm/overrule of unsure checks (issue 12)

Revision ID: i12_qcfeat
Revises: i13_plan_runs
Create Date: 2026-12-06 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'i12_qcfeat'
down_revision = 'i13_plan_runs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qc_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shot_id', sa.Integer(), nullable=False),
    sa.Column('check_name', sa.String(length=40), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['shot_id'], ['shots.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shot_id', 'check_name', name='uq_qc_reviews_shot_check')
    )
    with op.batch_alter_table('qc_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qc_reviews_shot_id'), ['shot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('qc_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qc_reviews_shot_id'))
    op.drop_table('qc_reviews')
