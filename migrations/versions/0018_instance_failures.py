"""Why a process instance failed: when, at which element, and the reason

A diagram that fails while it runs (a script past the expression language's limits, a loop
that never waits for anyone) stops its instance; its process owners see these on the
procedure pages.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_element_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('failed_element_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('failure_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('failed_element_name')
        batch_op.drop_column('failed_element_id')
        batch_op.drop_column('failed_at')
