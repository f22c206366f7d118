"""Personal access tokens: API tokens a person makes for an integration

A token got with a password stays as it was: no name, and the `full` scope (everything its
user may do). A personal access token has a name, an expiry its owner chose, and a narrower
scope: `read_only` (GET requests alone) or `routes`, with the routes it may call listed in
`routes`. It is revoked rather than deleted, by its owner or an administrator (`revoked_at`,
`revoked_by_id`), so it stays listed.

Revision ID: 0033
Revises: 0032
Create Date: 2027-01-26 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))
        # Every token there already was got with a password: it reaches everything, as before.
        batch_op.add_column(
            sa.Column('scope', sa.String(length=20), nullable=False, server_default='full')
        )
        batch_op.add_column(sa.Column('routes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_api_tokens_revoked_by_id_users'),
            'users',
            ['revoked_by_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_api_tokens_scope'), "scope IN ('full','read_only','routes')"
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_api_tokens_named'),
            "(scope = 'full' AND name IS NULL) OR (scope <> 'full' AND name IS NOT NULL)",
        )


def downgrade() -> None:
    # Kept, a personal access token would reach everything its owner may: it goes instead.
    op.execute("DELETE FROM api_tokens WHERE scope <> 'full'")
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_named'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_scope'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('routes')
        batch_op.drop_column('scope')
        batch_op.drop_column('name')
