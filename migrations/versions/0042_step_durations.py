"""Steps' durations counted as tasks complete

How the procedure runs reads how long each step took from ``step_durations``, a count of the
completed tasks per version, task, day completed (in England) and working days taken, each
day's row with its month's beside it, rather than from every completed task. The table is
filled here from the tasks completed so far; the index the page read them from goes.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 19:40:00
"""
from datetime import UTC, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None

COMPLETED = "state IN ('completed')"
ENGLAND = ZoneInfo("Europe/London")
KEY = ('definition_id', 'whole_month', 'done_on', 'spec_name', 'working_days')

tasks = sa.table(
    'tasks',
    sa.column('instance_id', sa.Integer),
    sa.column('spec_name', sa.String),
    sa.column('state', sa.String),
    sa.column('created_at', sa.DateTime),
    sa.column('completed_at', sa.DateTime),
    sa.column('due_on', sa.Date),
)
instances = sa.table(
    'process_instances', sa.column('id', sa.Integer), sa.column('definition_id', sa.Integer)
)


@cache
def _bank_holidays(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


@lru_cache(maxsize=100_000)
def _working_days(first, last):
    """Weekdays that are not bank holidays after ``first`` up to ``last``, as the service
    counts them (0 the same day, never less)."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _bank_holidays(day.year):
            count += 1
    return count


def _day(moment):
    # Stored as UTC without a zone.
    return moment.replace(tzinfo=UTC).astimezone(ENGLAND).date()


def upgrade() -> None:
    table = op.create_table(
        'step_durations',
        sa.Column('definition_id', sa.Integer(), nullable=False),
        sa.Column('whole_month', sa.Boolean(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('spec_name', sa.String(length=200), nullable=False),
        sa.Column('working_days', sa.Integer(), nullable=False),
        sa.Column('tasks', sa.Integer(), nullable=False),
        sa.Column('with_due', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['definition_id'],
            ['process_definitions.id'],
            name=op.f('fk_step_durations_definition_id_process_definitions'),
        ),
        sa.PrimaryKeyConstraint(*KEY, name=op.f('pk_step_durations')),
        sqlite_with_rowid=False,
    )
    counts = {}
    found = op.get_bind().execute(
        sa.select(
            instances.c.definition_id,
            tasks.c.spec_name,
            tasks.c.created_at,
            tasks.c.completed_at,
            tasks.c.due_on,
        )
        .join(instances, instances.c.id == tasks.c.instance_id)
        .where(tasks.c.state == 'completed', tasks.c.completed_at.is_not(None))
        .execution_options(yield_per=20_000)
    )
    for definition_id, spec_name, created_at, completed_at, due_on in found:
        done = _day(completed_at)
        taken = _working_days(_day(created_at), done)
        for whole_month, day in ((False, done), (True, done.replace(day=1))):
            row = counts.setdefault((definition_id, whole_month, day, spec_name, taken), [0, 0, 0])
            row[0] += 1
            if due_on is not None:
                row[1] += 1
                row[2] += done <= due_on
    rows = [
        {**dict(zip(KEY, key, strict=True)), 'tasks': a, 'with_due': b, 'on_time': c}
        for key, (a, b, c) in sorted(counts.items())
    ]
    for start in range(0, len(rows), 10_000):
        op.bulk_insert(table, rows[start:start + 10_000])
    op.drop_index(
        'ix_tasks_completed_timings',
        table_name='tasks',
        postgresql_where=sa.text(COMPLETED),
        sqlite_where=sa.text(COMPLETED),
    )


def downgrade() -> None:
    op.create_index(
        'ix_tasks_completed_timings',
        'tasks',
        ['completed_at', 'spec_name', 'created_at', 'due_on', 'instance_id', 'state'],
        postgresql_where=sa.text(COMPLETED),
        sqlite_where=sa.text(COMPLETED),
    )
    op.drop_table('step_durations')
