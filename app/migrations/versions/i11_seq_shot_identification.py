"""shots: how the student was identified at the camera and what was read (issue 11)

Revision ID: i11_seq
Revises: i14_site
"""
from alembic import op
import sqlalchemy as sa


revision = 'i11_seq'
down_revision = 'i14_site'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_method', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('id_read', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('shots', schema=None) as batch_op:
        batch_op.drop_column('id_read')
        batch_op.drop_column('id_method')
