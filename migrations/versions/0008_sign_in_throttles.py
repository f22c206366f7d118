"""Failed sign-ins counted per account and per address, shared by every web worker

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_throttles',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('first_failure_at', sa.DateTime(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles')),
    )
    op.create_index(
        op.f('ix_sign_in_throttles_first_failure_at'),
        'sign_in_throttles', ['first_failure_at'], unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_in_throttles_first_failure_at'), table_name='sign_in_throttles')
    op.drop_table('sign_in_throttles')
