"""A review's chair declares any conflict of interest, and a chair from an organisation taking
part in the case is appointed with a manager's reason

Each review keeps the body its chair comes from, the organisations taking part in the case
that the chair comes from, and the manager's reason for appointing such a chair. Declarations
are kept one row each, the latest of the current chair standing. Reviews there before this
revision were not asked: their chair's standing is left unknown.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 17:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair_body', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('chair_taking_part', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('chair_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('chair_reason_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chair_reason_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_reviews_chair_reason_by_id_users'), 'users', ['chair_reason_by_id'], ['id']
        )
    op.create_table(
        'chair_declarations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('chair_user_id', sa.Integer(), nullable=False),
        sa.Column('conflict', sa.Boolean(), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('declared_at', sa.DateTime(), nullable=False),
        sa.Column('after_meeting', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['review_id'], ['reviews.id'],
            name=op.f('fk_chair_declarations_review_id_reviews'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['chair_user_id'], ['users.id'],
            name=op.f('fk_chair_declarations_chair_user_id_users'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chair_declarations')),
    )
    with op.batch_alter_table('chair_declarations', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_chair_declarations_review_id'), ['review_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('chair_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chair_declarations_review_id'))
    op.drop_table('chair_declarations')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reviews_chair_reason_by_id_users'), type_='foreignkey')
        batch_op.drop_column('chair_reason_at')
        batch_op.drop_column('chair_reason_by_id')
        batch_op.drop_column('chair_reason')
        batch_op.drop_column('chair_taking_part')
        batch_op.drop_column('chair_body')
