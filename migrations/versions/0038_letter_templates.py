"""The versions of each letter's wording that process owners deploy

Each deployed version of a letter's template is kept as it was; a letter records the version
that wrote it (none: the wording shipped with the service).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 16:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'letter_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('restored_from', sa.Integer(), nullable=True),
        sa.Column('deployed_by_id', sa.Integer(), nullable=True),
        sa.Column('deployed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['deployed_by_id'], ['users.id'],
            name=op.f('fk_letter_templates_deployed_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_templates')),
        sa.UniqueConstraint('kind', 'version', name=op.f('uq_letter_templates_kind')),
    )
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('letter_template_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f('fk_documents_letter_template_id_letter_templates'),
            'letter_templates', ['letter_template_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.drop_constraint(
            batch.f('fk_documents_letter_template_id_letter_templates'), type_='foreignkey'
        )
        batch.drop_column('letter_template_id')
    op.drop_table('letter_templates')
