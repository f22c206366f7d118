"""A task keeps why it went to its holder without their claiming it

The next step of a case in the same lane goes to whoever completed the previous one; a
manager gives a task to a colleague; the applicant's contact is given the task to consider
further action. The inbox and the task page say which. Tasks before this revision keep no
reason: their holders claimed them, or a manager or the contact's rule gave them.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-22 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_because', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('assigned_because')
