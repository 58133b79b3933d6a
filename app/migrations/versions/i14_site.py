"""site_stations: each station's replication heartbeat (site mode)

Revision ID: i14_site
Revises: i12_qcfeat
"""
from alembic import op
import sqlalchemy as sa


revision = 'i14_site'
down_revision = 'i12_qcfeat'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'site_stations',
        sa.Column('station_uid', sa.String(length=32), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('last_contact', sa.DateTime(), nullable=True),
        sa.Column('last_push_from', sa.DateTime(), nullable=True),
        sa.Column('pending', sa.Integer(), nullable=False),
        sa.Column('lag_s', sa.Float(), nullable=True),
        sa.Column('marks', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('station_uid'),
    )


def downgrade() -> None:
    op.drop_table('site_stations')
