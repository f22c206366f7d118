"""A task's candidate names its person when one person alone plays the lane (a review chair)

A review chair takes part in a case as a person, not as their organisation, so the chair's
organisation's other people may not see the case. The chair's task was still listed in their
organisation's overdue and unclaimed inboxes, where it could not be opened, and its escalation
went to that organisation's managers. The candidate row now carries the person, and the rows of
existing tasks take it from the case's participants: the task's lane played by the
organisation through one person. A finished chair's task of an earlier review takes today's
chair, or no one if the chair now comes from another organisation: it is finished, so it is
in no inbox either way.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The candidate's organisation in the task's lane on the task's case: at most one row (a
# case has one participant per organisation and role), whose user is the person, if any. A
# task whose lane no one plays went to the council, and finds no row in its lane: no one.
LANE_PLAYER = (
    "SELECT case_participants.user_id"
    " FROM case_participants JOIN tasks ON tasks.case_id = case_participants.case_id"
    " WHERE tasks.id = task_candidates.task_id"
    " AND case_participants.organisation_id = task_candidates.organisation_id"
    " AND case_participants.role = tasks.role"
)


def upgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_task_candidates_user_id_users'), 'users', ['user_id'], ['id'],
        )
    op.execute(f"UPDATE task_candidates SET user_id = ({LANE_PLAYER})")


def downgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_task_candidates_user_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('user_id')
