"""A case names its single point of contact for the applicant

A council officer: whoever completed the acknowledgement, unless a manager has named
another. Cases already acknowledged are given the officer who acknowledged them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_contact_user_id_users'), 'users', ['contact_user_id'], ['id']
        )
    op.execute(
        "UPDATE cases SET contact_user_id = ("
        " SELECT tasks.completed_by_id FROM tasks"
        " WHERE tasks.case_id = cases.id AND tasks.form = 'acknowledgement'"
        " AND tasks.state = 'completed' AND tasks.completed_by_id IS NOT NULL"
        " ORDER BY tasks.completed_at, tasks.id LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_contact_user_id_users'), type_='foreignkey')
        batch_op.drop_column('contact_user_id')
