"""Reports made to someone other than a relevant body, and staff's marks on what counts

An application may list a report made to anyone: a body the service offers, or someone else in
the applicant's words (their MP, a GP, a charity), which is kept and shown but never counts
towards the threshold. The council's staff may mark a report a duplicate of another, a
separate incident, or not about the behaviour under review, with a reason; who marked it and
when is kept beside the mark.

Revision ID: 0027
Revises: 0026
Create Date: 2027-01-17 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reported_to_other', sa.String(length=200), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('mark', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('mark_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('marked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('marked_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_incidents_duplicate_of_id_incidents'),
            'incidents',
            ['duplicate_of_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_incidents_marked_by_id_users'), 'users', ['marked_by_id'], ['id']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_incidents_mark'), "mark IN ('duplicate','separate','unrelated')"
        )


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_incidents_mark'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_incidents_marked_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('fk_incidents_duplicate_of_id_incidents'), type_='foreignkey'
        )
        batch_op.drop_column('marked_at')
        batch_op.drop_column('marked_by_id')
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('mark_reason')
        batch_op.drop_column('mark')
        batch_op.drop_column('reported_to_other')
