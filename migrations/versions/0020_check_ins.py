"""Check-ins after a case closes: is the behaviour still happening?

Each case closed at the end of its review is asked some months later (the area's
follow_up_months, 1, 3 and 6 by default), by a one-time link by email or by its contact for
an applicant who has letters. Cases closed before this revision have no check-ins.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'check_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('channel', sa.String(length=10), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('still_happening', sa.Boolean(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('answered_by', sa.String(length=40), nullable=False),
        sa.CheckConstraint("channel IN ('email','post')", name=op.f('ck_check_ins_channel')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_check_ins_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
        sa.UniqueConstraint('case_id', 'due_on', 'months', name=op.f('uq_check_ins_case_id')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_check_ins_code_hash')),
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_check_ins_unsent_due', ['sent_at', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_check_ins_unsent_due')
        batch_op.drop_index(batch_op.f('ix_check_ins_case_id'))
    op.drop_table('check_ins')
