"""Files the applicant sends with an appeal, and the applicant's API tokens

An attachment may now come from the applicant with their appeal: it names the appeal, and
no organisation or uploader (the applicant has no account). An applicant's bearer token for
the API reaches their one case: only its sha256 is kept.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-09 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('appeal_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_appeal_id_appeals'),
            'appeals',
            ['appeal_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_index(batch_op.f('ix_attachments_appeal_id'), ['appeal_id'], unique=False)
        batch_op.create_check_constraint(
            batch_op.f('ck_attachments_uploader'),
            'appeal_id IS NOT NULL OR (organisation_id IS NOT NULL AND uploaded_by_id IS NOT NULL)',
        )
    op.create_table(
        'applicant_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_applicant_tokens_case_id_cases'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_applicant_tokens_token_hash')),
    )
    with op.batch_alter_table('applicant_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_tokens_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('applicant_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_tokens_case_id'))
    op.drop_table('applicant_tokens')
    # The applicant's files cannot be kept without an organisation and an uploader.
    op.execute('DELETE FROM attachments WHERE appeal_id IS NOT NULL')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachments_uploader'), type_='check')
        batch_op.drop_index(batch_op.f('ix_attachments_appeal_id'))
        batch_op.drop_constraint(batch_op.f('fk_attachments_appeal_id_appeals'), type_='foreignkey')
        batch_op.drop_column('appeal_id')
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
