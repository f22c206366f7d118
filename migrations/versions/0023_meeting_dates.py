"""Review meetings keep why they were arranged beyond the area's timescale, and whether they
were rescheduled

A meeting arranged later than the area's timescale for holding it is accepted only with a
reason, kept on the review; a meeting recorded as held before the day it was arranged for is
accepted only when its record says it was rescheduled. Reviews before this revision have
neither.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-20 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.add_column(sa.Column('beyond_timescale_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('rescheduled', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.drop_column('rescheduled')
        batch.drop_column('beyond_timescale_reason')
