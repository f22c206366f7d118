"""Indexes for how the procedure runs

The heat map of each process's steps reads the completed tasks of a period, and the live
tasks by step, each from a partial index that holds all its figures need (the state too,
which SQLite reads from the index to check the condition).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

COMPLETED = "state IN ('completed')"
LIVE = "state IN ('open', 'claimed')"


def upgrade() -> None:
    op.create_index(
        'ix_tasks_completed_timings',
        'tasks',
        ['completed_at', 'spec_name', 'created_at', 'due_on', 'instance_id', 'state'],
        postgresql_where=sa.text(COMPLETED),
        sqlite_where=sa.text(COMPLETED),
    )
    op.create_index(
        'ix_tasks_live_steps',
        'tasks',
        ['spec_name', 'due_on', 'instance_id', 'state'],
        postgresql_where=sa.text(LIVE),
        sqlite_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_index('ix_tasks_live_steps', table_name='tasks')
    op.drop_index('ix_tasks_completed_timings', table_name='tasks')
