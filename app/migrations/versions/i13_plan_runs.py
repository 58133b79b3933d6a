"""plan runs: what a timetable was planned with (day end, days, stations per day, places)

Revision ID: i13_plan_runs
Revises: 570b7efc071e
"""
from alembic import op
import sqlalchemy as sa


revision = 'i13_plan_runs'
down_revision = '570b7efc071e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'plan_runs',
        sa.Column('plan_uid', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('plan_uid'),
    )
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_runs_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_runs_created_at'))
    op.drop_table('plan_runs')
