"""A case keeps the applicant's own answer about a hate element beside what screening found

Screening may find a hate element the applicant did not say, or none where they said one:
the applicant's answer, as given on the application, is kept, and screening's different
answer is accepted only with its reason, kept on the case (and in its audit trail).

Cases not yet screened have the applicant's answer as their hate element: it is copied.
Cases already screened may have had it overwritten by screening, with no trace: their
applicant's answer is unknown and left empty (the case page and the pack say only what
screening found).

Revision ID: 0030
Revises: 0029
Create Date: 2027-01-20 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


# Dropping the columns rebuilds the cases table on SQLite, which drops the triggers keeping its
# text search in step (revision 0024): they are made again.
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


def upgrade() -> None:
    # Added in place: nothing is rebuilt.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_hate_element', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('hate_element_reason', sa.Text(), nullable=True))
    op.execute(
        "UPDATE cases SET applicant_hate_element = hate_element"
        " WHERE NOT EXISTS (SELECT 1 FROM tasks"
        " WHERE tasks.case_id = cases.id AND tasks.form = 'screening'"
        " AND tasks.state = 'completed')"
    )


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('hate_element_reason')
        batch_op.drop_column('applicant_hate_element')
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_CASE_SEARCH_TRIGGERS:
            op.execute(statement)
