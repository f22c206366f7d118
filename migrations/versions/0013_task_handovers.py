"""A task counts the times it passed to someone else undone

A review chair given the review back after another chair had it is reminded of the meeting
record again: a reminder's key names the handover it follows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 05:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handovers', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('handovers')
