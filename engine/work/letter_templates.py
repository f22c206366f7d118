"""What process owners (and administrators) do with the letters' wording: list the letters,
edit one's template, preview it without sending, check it and deploy it as a new version,
compare two versions, and go back to an earlier one.

Previewing on a real case reads its personal data: only on a case the user may see, and the
look is recorded as any other. Everyone can preview on the sample case. Every function checks
the role first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import NotAllowed, NotFound
from engine.core.models import Appeal, LetterTemplate, User
from engine.documents import LETTER_KINDS, compose_letter
from engine.documents.letters import versions
from engine.documents.letters.blocks import Block
from engine.documents.letters.placeholders import Placeholder, placeholders, sample_cases
from engine.documents.letters.updates import meeting_arranged
from engine.documents.letters.versions import Wording
from engine.documents.letters.wording import WordingProblem, WordingRefused, write
from engine.people.access import consult_case
from engine.work.process_definitions import OWNER_ROLE


def may_edit_letters(user: User | None) -> bool:
    return (
        user is not None
        and user.active
        and (user.has_role(OWNER_ROLE) or user.has_role("administrator"))
    )


def _require_editor(user: User | None) -> User:
    if user is None or not may_edit_letters(user):
        raise NotAllowed("only process owners and administrators may change the letters' wording")
    return user


def _kind(kind: str) -> str:
    if kind not in LETTER_KINDS:
        raise NotFound(f"there is no letter '{kind}'")
    return kind


@dataclass(frozen=True)
class VersionRow:
    version: int
    deployed_at: datetime
    deployed_by: str | None
    restored_from: int | None


@dataclass(frozen=True)
class LetterSummary:
    kind: str
    newest: int  # 0: the shipped wording
    deployed_at: datetime | None


@dataclass(frozen=True)
class LetterWording:
    kind: str
    current: Wording
    versions: list[VersionRow]
    placeholders: dict[str, Placeholder]


@dataclass(frozen=True)
class Preview:
    """A letter written in a template without being sent: on a case, or the sample case."""

    on: str
    title: str
    salutation: str
    blocks: tuple[Block, ...]
    signer: str


def list_letters(session: Session, user: User | None) -> list[LetterSummary]:
    _require_editor(user)
    summaries = []
    for kind in LETTER_KINDS:
        current = versions.current_wording(session, kind)
        rows = versions.versions(session, kind)
        summaries.append(
            LetterSummary(kind, current.version or 0, rows[0].deployed_at if rows else None)
        )
    return summaries


def letter_wording(session: Session, user: User | None, kind: str) -> LetterWording:
    _require_editor(user)
    names = dict(session.execute(select(User.id, User.name)).all())
    rows = [
        VersionRow(
            row.version,
            row.deployed_at,
            names.get(row.deployed_by_id) if row.deployed_by_id else None,
            row.restored_from,
        )
        for row in versions.versions(session, _kind(kind))
    ]
    return LetterWording(kind, versions.current_wording(session, kind), rows, placeholders(kind))


def wording_version(session: Session, user: User | None, kind: str, version: int) -> Wording:
    _require_editor(user)
    return versions.wording_version(session, _kind(kind), version)


def check_wording(user: User | None, kind: str, body: str) -> list[WordingProblem]:
    _require_editor(user)
    return versions.check_template(_kind(kind), body)


def deploy_wording(
    session: Session, user: User | None, kind: str, body: str
) -> tuple[LetterTemplate, bool]:
    """Deploy as the newest version; refused wording raises WordingRefused."""
    editor = _require_editor(user)
    return versions.deploy(session, _kind(kind), body, user=editor)


def restore_wording(
    session: Session, user: User | None, kind: str, version: int
) -> tuple[LetterTemplate, bool]:
    editor = _require_editor(user)
    return versions.restore(session, _kind(kind), version, user=editor)


def compare_wording(
    session: Session, user: User | None, kind: str, old: int, new: int
) -> list[tuple[str, str]]:
    _require_editor(user)
    _kind(kind)
    return versions.difference(
        versions.wording_version(session, kind, old), versions.wording_version(session, kind, new)
    )


def preview_wording(
    session: Session, user: User | None, kind: str, body: str, reference: str = ""
) -> Preview:
    """The letter ``body`` writes, sending nothing: on the case ``reference`` (one the user
    may see; the look is recorded), or on the sample case. Wording that cannot be written
    raises WordingRefused."""
    editor = _require_editor(user)
    problems = versions.check_template(_kind(kind), body)
    if problems:
        raise WordingRefused(problems)
    reference = reference.strip()
    if not reference:
        _name, sample = sample_cases(kind)[0]
        written = write(body, sample)
        return Preview(
            "the sample case", written.title, "Dear applicant,", written.blocks, "[Your name]"
        )
    case = consult_case(session, editor, reference, purpose="letter wording preview")
    appeal = session.scalar(
        select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id.desc()).limit(1)
    )
    answers = meeting_arranged(clock.today()) if kind == "update_letter" else {}
    letter = compose_letter(
        session,
        case,
        kind,
        answers,
        letter_date=clock.today(),
        signer=editor,
        appeal=appeal,
        wording=Wording(kind, body),
    )
    return Preview(case.reference, letter.title, letter.salutation, letter.blocks, letter.signer)
