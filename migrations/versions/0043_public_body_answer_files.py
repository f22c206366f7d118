"""Files with a public body's answer to a request for information

A body's answer may carry files, as an agency's information return does: each is an
attachment naming the request it came with. One sent through the request's single-use link
has no organisation or uploader (the body has no account), as an applicant's appeal files.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 19:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None

BEFORE = 'appeal_id IS NOT NULL OR (organisation_id IS NOT NULL AND uploaded_by_id IS NOT NULL)'
AFTER = (
    'appeal_id IS NOT NULL OR information_request_id IS NOT NULL '
    'OR (organisation_id IS NOT NULL AND uploaded_by_id IS NOT NULL)'
)


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('information_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_attachments_information_request_id_information_requests'),
            'information_requests',
            ['information_request_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_index(
            batch_op.f('ix_attachments_information_request_id'),
            ['information_request_id'],
            unique=False,
        )
        batch_op.drop_constraint(batch_op.f('ck_attachments_uploader'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_attachments_uploader'), AFTER)


def downgrade() -> None:
    # Files that came through a body's link have no uploader, which the older rule requires.
    op.execute(
        'DELETE FROM attachments WHERE information_request_id IS NOT NULL '
        'AND appeal_id IS NULL AND (organisation_id IS NULL OR uploaded_by_id IS NULL)'
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachments_uploader'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_attachments_uploader'), BEFORE)
        batch_op.drop_index(batch_op.f('ix_attachments_information_request_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_attachments_information_request_id_information_requests'),
            type_='foreignkey',
        )
        batch_op.drop_column('information_request_id')
