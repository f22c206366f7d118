"""Businesses and community groups apply, and applications about the same behaviour are linked

An application may come from a person, or from a business or a community group through a named
contact. The council may link applications about the same behaviour to the first of them, so
that an area's community threshold (so many separate individuals reporting related incidents
within so many months) is counted across them.

Revision ID: 0028
Revises: 0027
Create Date: 2027-01-18 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


APPLYING_AS = "applying_as IN ('person','business','community_group')"


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # Added with ALTER TABLE, not a batch copy of the table, which would drop the triggers
        # that keep the cases' search index in step; SQLite takes the constraints inline.
        op.execute(
            "ALTER TABLE cases ADD COLUMN applying_as VARCHAR(20) DEFAULT 'person' NOT NULL "
            f"CONSTRAINT ck_cases_applying_as CHECK ({APPLYING_AS})"
        )
        op.execute(
            "ALTER TABLE cases ADD COLUMN linked_to_id INTEGER "
            "CONSTRAINT fk_cases_linked_to_id_cases REFERENCES cases (id)"
        )
    else:
        op.add_column(
            'cases',
            sa.Column(
                'applying_as', sa.String(length=20), nullable=False, server_default='person'
            ),
        )
        op.add_column('cases', sa.Column('linked_to_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_cases_linked_to_id_cases'), 'cases', 'cases', ['linked_to_id'], ['id']
        )
        op.create_check_constraint(op.f('ck_cases_applying_as'), 'cases', APPLYING_AS)
    op.create_index(op.f('ix_cases_linked_to_id'), 'cases', ['linked_to_id'], unique=False)


# A later revision may rebuild the cases table on SQLite, after which its columns cannot be
# dropped in place; rebuilding it here drops the triggers keeping its text search in step
# (revision 0024), so they are made again.
SQLITE_CASE_SEARCH_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS case_search_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS case_search_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS case_search_update AFTER UPDATE OF search_text ON cases BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def downgrade() -> None:
    op.drop_index(op.f('ix_cases_linked_to_id'), table_name='cases')
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('cases', schema=None, recreate='always') as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_cases_applying_as'), type_='check')
            batch_op.drop_column('linked_to_id')
            batch_op.drop_column('applying_as')
        for statement in SQLITE_CASE_SEARCH_TRIGGERS:
            op.execute(statement)
        return
    op.drop_constraint(op.f('ck_cases_applying_as'), 'cases', type_='check')
    op.drop_constraint(op.f('fk_cases_linked_to_id_cases'), 'cases', type_='foreignkey')
    op.drop_column('cases', 'linked_to_id')
    op.drop_column('cases', 'applying_as')
