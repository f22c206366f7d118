"""One-time codes that let an applicant into their own case

A link sent by email, or a code printed on a posted letter: only its sha256 is kept, and it
expires and stops working once used.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'applicant_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('issued_for', sa.String(length=40), nullable=False),
        sa.CheckConstraint("channel IN ('email','letter')", name=op.f('ck_applicant_codes_channel')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_applicant_codes_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_applicant_codes_code_hash')),
    )
    with op.batch_alter_table('applicant_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_codes_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('applicant_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_codes_case_id'))
    op.drop_table('applicant_codes')
