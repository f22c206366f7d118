"""A district's notes on its published figures for a year

Its council writes what the figures need said (a change of practice, a case counted late),
shown under the table and published with the figures.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'district_year_notes',
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['district_id'], ['districts.id'],
            name=op.f('fk_district_year_notes_district_id_districts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'],
            name=op.f('fk_district_year_notes_updated_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('district_id', 'year', name=op.f('pk_district_year_notes')),
    )


def downgrade() -> None:
    op.drop_table('district_year_notes')
