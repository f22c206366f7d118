"""Each person chooses how they hear by email of new work: at once, a daily summary, or not

A task arriving in an organisation's queue (or given to one person) is told to the people who
may do it, in the service and by email as each of them chooses: an email for each new task
(as everyone has until they choose otherwise), one summary a day at a time they set, or no
email at all. A step that gives its new task to someone, and tells them so itself, is not
told twice: the notifications' task is indexed for the look.

Revision ID: 0026
Revises: 0025
Create Date: 2027-01-10 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('new_work_email', sa.String(length=20), nullable=False, server_default='at_once')
        )
        batch_op.add_column(sa.Column('digest_time', sa.Time(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_users_new_work_email'), "new_work_email IN ('at_once','daily','never')"
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_users_daily_digest_time'),
            "new_work_email <> 'daily' OR digest_time IS NOT NULL",
        )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_task_id'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_daily_digest_time'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_new_work_email'), type_='check')
        batch_op.drop_column('digest_time')
        batch_op.drop_column('new_work_email')
