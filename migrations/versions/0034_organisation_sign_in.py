"""Staff sign in through their organisation's OpenID Connect provider

Each organisation keeps how its staff sign in, as the area file gives it (the service's
passwords, its provider, or both). A user remembers who their organisation's provider says
they are (the issuer and their subject there), and someone who signs in only through it has no
password.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_in', sa.JSON(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_issuer', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('identity_subject', sa.String(length=255), nullable=True))
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f('uq_users_identity_issuer'), ['identity_issuer', 'identity_subject']
        )


def downgrade() -> None:
    # Someone who had only their provider's sign-in gets a password no one can type.
    op.execute("UPDATE users SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_identity_issuer'), type_='unique')
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('identity_subject')
        batch_op.drop_column('identity_issuer')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('sign_in')
