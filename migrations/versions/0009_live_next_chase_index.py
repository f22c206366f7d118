"""The sweep's index: live tasks by the day they are next chased, then id

The sweep read due tasks in id order, and PostgreSQL walked the primary key to find them,
reading most of the tasks table each day as it grew. A partial index on (next_chase_on, id)
for live tasks gives the sweep its batches in order, reading only what is due. The index on
(state, next_chase_on) stays: SQLite, planning without statistics, reads the due range of each
live state with it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

LIVE = sa.text("state IN ('open', 'claimed')")


def upgrade() -> None:
    op.create_index(
        'ix_tasks_live_next_chase', 'tasks', ['next_chase_on', 'id'], unique=False,
        postgresql_where=LIVE, sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index('ix_tasks_live_next_chase', table_name='tasks')
