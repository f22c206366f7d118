"""Each database's own text search over ``cases.search_text``, and keeping that text in step.

- SQLite: an FTS5 table, ``case_search``, over the column (an external-content table: it keeps
  the index, the text stays in ``cases``), kept in step by triggers on ``cases``;
- PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``, which the database keeps.

Both are made with the table (``create_all``, as the tests do) and by migration 0024, which
holds the same statements. A later migration that rebuilds ``cases`` on SQLite (a batch
operation that copies the table) drops its triggers with it, and must make them again.

``search_text`` itself is worked out here from the reference, applicant, victim and where the
behaviour happens (``details``) whenever a case is added or one of them changes, in any
session (``engine.core.search_text`` says what it holds). Rows written in bulk outside a
session, as the benchmark's loader does, must fill it in themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DDL,
    ColumnElement,
    Select,
    event,
    false,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from engine.core.models.cases import Case
from engine.core.search_text import case_search_text

SQLITE_TABLE = "case_search"
POSTGRES_INDEX = "ix_cases_search_text"
# The FTS5 table and the tables SQLite keeps its index in, and PostgreSQL's index on an
# expression: none of them is in the models, so comparing the migrated schema with the models
# leaves them out.
SEARCH_TABLES = frozenset(
    {SQLITE_TABLE, *(f"{SQLITE_TABLE}_{part}" for part in ("data", "idx", "docsize", "config"))}
)
SEARCH_INDEXES = frozenset({POSTGRES_INDEX})
# What a search for a word runs against, on PostgreSQL: the index's own expression.
POSTGRES_VECTOR = "to_tsvector('simple'::regconfig, search_text)"

CASE_SEARCH_DDL = {
    "sqlite": [
        # Words are split on anything but letters and digits, as search_text is made; word
        # starts of two and three characters are indexed for quick prefix searches.
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(search_text, "
        "content='cases', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f"CREATE TRIGGER {SQLITE_TABLE}_insert AFTER INSERT ON cases BEGIN "
        f"INSERT INTO {SQLITE_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER {SQLITE_TABLE}_delete AFTER DELETE ON cases BEGIN "
        f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER {SQLITE_TABLE}_update AFTER UPDATE OF search_text ON cases BEGIN "
        f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {SQLITE_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    ],
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON cases USING gin ({POSTGRES_VECTOR})",
    ],
}
for _dialect, _statements in CASE_SEARCH_DDL.items():
    for _statement in _statements:
        event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
# The FTS5 table is no part of the models: dropped with the table it indexes.
event.listen(
    Case.__table__,
    "after_drop",
    DDL(f"DROP TABLE IF EXISTS {SQLITE_TABLE}").execute_if(dialect="sqlite"),
)

_FOUND_BY = ("reference", "applicant", "victim", "details")


@event.listens_for(Session, "before_flush")
def _keep_search_text(session: Session, _context: Any, _instances: Any) -> None:
    """A new case, or one whose reference, applicant, victim or details changed, is found by
    its words as they now are (an erased case by nothing of the people it was about)."""
    for case in (*session.new, *session.dirty):
        if not isinstance(case, Case):
            continue
        state = inspect(case)
        if case in session.new or any(
            state.attrs[name].history.has_changes() for name in _FOUND_BY
        ):
            case.search_text = case_search_text(
                case.reference, case.applicant, case.victim, _place(case.details)
            )


def _place(details: Any) -> str:
    place = details.get("place") if isinstance(details, dict) else None
    return place if isinstance(place, str) else ""


def matching_words(dialect: str, words: list[str]) -> ColumnElement[bool]:
    """Cases with a word starting with each of ``words`` (from ``search_words``: letters and
    digits only, so nothing in them is an operator of either search language), found
    through the database's text search index."""
    if not words:
        return false()
    if dialect == "sqlite":
        # Each word quoted, and a prefix: "smi"* "de4"* (all of them, in any order).
        query = " ".join(f'"{word}"*' for word in words)
        found: Select[Any] = (
            select(literal_column("rowid"))
            .select_from(text(SQLITE_TABLE))
            .where(literal_column(SQLITE_TABLE).op("MATCH")(query))
        )
        return Case.id.in_(found)
    # 'smi':* & 'de4':*
    query = " & ".join(f"{word}:*" for word in words)
    simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
    return func.to_tsvector(simple, Case.search_text).op("@@")(func.to_tsquery(simple, query))
