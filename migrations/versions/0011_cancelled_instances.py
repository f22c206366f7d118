"""A process instance can be cancelled: ended before its end, its waiting tasks cancelled

An upheld appeal starts a fresh case review. A review of the same case still running (its
meeting not yet held, or its action plan still being tracked) is superseded: it is cancelled
rather than left to run beside the fresh one, and to close the case when it ends.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 02:40:00
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _states(states: str) -> None:
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_process_instances_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_process_instances_state'), f"state IN ({states})")


def upgrade() -> None:
    _states("'running','completed','failed','cancelled'")


def downgrade() -> None:
    op.execute("UPDATE process_instances SET state = 'failed' WHERE state = 'cancelled'")
    _states("'running','completed','failed'")
