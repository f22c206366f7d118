"""The applicant's part in the review: how they want to take part in the meeting, the chair's
decision on inviting them, whether they took part, and their views on the draft action plan

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

REVIEW_COLUMNS = (
    ('applicant_invited', sa.Boolean()),
    ('not_invited_reasons', sa.Text()),
    ('applicant_took_part', sa.String(length=30)),
    ('draft_shared_on', sa.Date()),
    ('views_due_on', sa.Date()),
    ('applicant_views', sa.Text()),
    ('views_received_at', sa.DateTime()),
    ('views_received_by', sa.String(length=20)),
    ('views_considered', sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        'meeting_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=30), nullable=False),
        sa.Column('advocate_name', sa.String(length=200), nullable=False),
        sa.Column('advocate_relationship', sa.String(length=200), nullable=False),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('needs', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "choice IN ('in_person','remotely','advocate','written_statement','not_taking_part')",
            name=op.f('ck_meeting_parts_choice'),
        ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_meeting_parts_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_parts')),
        sa.UniqueConstraint('case_id', name=op.f('uq_meeting_parts_case_id')),
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        for name, kind in REVIEW_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        for name, _kind in reversed(REVIEW_COLUMNS):
            batch_op.drop_column(name)
    op.drop_table('meeting_parts')
