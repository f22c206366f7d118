"""Candidate rows carry their case's district, so a district-filtered inbox is one index range

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_task_candidates_district_id_districts'),
            'districts', ['district_id'], ['id'],
        )
        batch_op.create_index(
            'ix_task_candidates_organisation_state_district_due',
            ['organisation_id', 'state', 'district_id', 'due_on'],
            unique=False,
        )
    op.execute(
        "UPDATE task_candidates SET district_id = ("
        " SELECT cases.district_id FROM tasks JOIN cases ON cases.id = tasks.case_id"
        " WHERE tasks.id = task_candidates.task_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_task_candidates_organisation_state_district_due')
        batch_op.drop_constraint(
            batch_op.f('fk_task_candidates_district_id_districts'), type_='foreignkey'
        )
        batch_op.drop_column('district_id')
