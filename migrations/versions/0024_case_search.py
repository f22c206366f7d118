"""Cases are found by reference, name, address or postcode through each database's own text
search

Each case keeps the words it is found by in `cases.search_text` (its reference, and the
names, addresses and postcodes of its applicant and victim), worked out here for the cases
already there. SQLite indexes them in an FTS5 table kept in step by triggers on `cases`;
PostgreSQL in a GIN index on `to_tsvector('simple', search_text)`. The cases list, newest
first or narrowed by status, reads two new indexes on `cases`.

Revision ID: 0024
Revises: 0023
Create Date: 2027-01-10 09:00:00
"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search USING fts5(search_text, "
    "content='cases', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "INSERT INTO case_search(case_search) VALUES ('rebuild')",
    "CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER case_search_update AFTER UPDATE OF search_text ON cases BEGIN "
    "INSERT INTO case_search(case_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO case_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]
POSTGRES_SEARCH = [
    "CREATE INDEX IF NOT EXISTS ix_cases_search_text ON cases "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
]

cases = sa.table(
    'cases',
    sa.column('id', sa.Integer()),
    sa.column('reference', sa.String()),
    sa.column('applicant', sa.JSON()),
    sa.column('victim', sa.JSON()),
    sa.column('search_text', sa.Text()),
)

# The words of engine.core.search_text as of this revision.
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")
_REFERENCE_NUMBER = re.compile(r"^[A-Z]+-\d{4}-0*(\d+)$")


def _words(text):
    plain = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(
        character if unicodedata.category(character)[0] in "LN" else " "
        for character in plain
        if not unicodedata.combining(character)
    ).split()


def _postcode(person):
    for text in (person.get("postcode"), person.get("address")):
        found = _POSTCODE.findall(str(text or "").upper())
        if found:
            return "".join(found[-1])
    return ""


def _search_text(reference, applicant, victim):
    found = _words(reference)
    number = _REFERENCE_NUMBER.match((reference or "").upper())
    if number:
        found.append(number.group(1))
    for person in (applicant, victim):
        if person:
            parts = [str(person.get(part) or "") for part in ("name", "address", "postcode")]
            found += [word for part in (*parts, _postcode(person)) for word in _with_joined(part)]
    return " ".join(dict.fromkeys(found))


def _with_joined(text):
    for typed in text.split():
        parts = _words(typed)
        yield from parts
        if len(parts) > 1:
            yield "".join(parts)


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('search_text', sa.Text(), server_default='', nullable=False)
        )
    op.create_index('ix_cases_received', 'cases', ['received_on', 'id'], unique=False)
    op.create_index(
        'ix_cases_status_received', 'cases', ['status', 'received_on'], unique=False
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(cases.c.id, cases.c.reference, cases.c.applicant, cases.c.victim)
    ).all()
    for start in range(0, len(found), 1000):
        connection.execute(
            cases.update().where(cases.c.id == sa.bindparam('case_id')),
            [
                {'case_id': row.id, 'search_text': _search_text(*row[1:])}
                for row in found[start:start + 1000]
            ],
        )
    for statement in SQLITE_SEARCH if connection.dialect.name == 'sqlite' else POSTGRES_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER IF EXISTS case_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS case_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_cases_search_text")
    op.drop_index('ix_cases_status_received', table_name='cases')
    op.drop_index('ix_cases_received', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('search_text')
