"""Other public bodies the council may ask for information, and its requests to them

Schedule 4 of the Anti-social Behaviour, Crime and Policing Act 2014 lets the relevant bodies
ask any person exercising public functions for information: the bodies (from the area file or
added by an administrator) and each request, with its legal basis, deadline, single-use link
(only its sha256) and answer.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 16:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'public_bodies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=50), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("source IN ('area','administrator')", name=op.f('ck_public_bodies_source')),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisations.id'],
            name=op.f('fk_public_bodies_organisation_id_organisations'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_bodies')),
        sa.UniqueConstraint('key', name=op.f('uq_public_bodies_key')),
    )
    op.create_table(
        'information_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('public_body_id', sa.Integer(), nullable=False),
        sa.Column('asked', sa.Text(), nullable=False),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('sent_to', sa.String(length=200), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('chased_at', sa.DateTime(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'],
            name=op.f('fk_information_requests_case_id_cases'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['public_body_id'], ['public_bodies.id'],
            name=op.f('fk_information_requests_public_body_id_public_bodies'),
        ),
        sa.ForeignKeyConstraint(
            ['sent_by_id'], ['users.id'],
            name=op.f('fk_information_requests_sent_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['answered_by_id'], ['users.id'],
            name=op.f('fk_information_requests_answered_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_information_requests')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_information_requests_code_hash')),
    )
    op.create_index(
        op.f('ix_information_requests_case_id'), 'information_requests', ['case_id']
    )
    op.create_index(
        op.f('ix_information_requests_public_body_id'), 'information_requests', ['public_body_id']
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_information_requests_public_body_id'), table_name='information_requests')
    op.drop_index(op.f('ix_information_requests_case_id'), table_name='information_requests')
    op.drop_table('information_requests')
    op.drop_table('public_bodies')
