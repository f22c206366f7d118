"""A notification not yet mailed can be withdrawn

A review chair who is replaced no longer takes part in the case: the reminders and other
messages about it still waiting for the mail sender are withdrawn rather than sent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 05:30:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _states(states: str) -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notifications_state'), f"state IN ({states})")


def upgrade() -> None:
    _states("'pending','sent','failed','not_sent','withdrawn'")


def downgrade() -> None:
    op.execute("UPDATE notifications SET state = 'not_sent' WHERE state = 'withdrawn'")
    _states("'pending','sent','failed','not_sent'")
