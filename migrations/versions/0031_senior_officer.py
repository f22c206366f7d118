"""A vulnerable victim decision names its senior officer, who confirms it

The senior officer is a user with the manager role in the council managing the case; when
someone else records the decision, it waits for the officer's confirmation, and the threshold
is recorded only then. The case keeps the officer and when they confirmed.

Decisions recorded before this revision named their officer in free text, on the decision's
answers, and were not confirmed in the service: they keep that name and are left without an
officer or a confirmation here.

Revision ID: 0031
Revises: 0030
Create Date: 2027-01-20 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


# Changing the cases table's constraints rebuilds it on SQLite, which drops the triggers keeping
# its text search in step (revision 0024): they are made again.
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


def _keep_case_search() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_CASE_SEARCH_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('senior_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('senior_officer_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_senior_officer_id_users'), 'users', ['senior_officer_id'], ['id']
        )
    _keep_case_search()


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_senior_officer_id_users'), type_='foreignkey')
        batch_op.drop_column('senior_officer_confirmed_at')
        batch_op.drop_column('senior_officer_id')
    _keep_case_search()
