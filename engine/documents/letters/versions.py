"""The versions of each letter's wording: the shipped default, and those process owners deploy.

New letters use the newest deployed version of their kind, or the shipped default when none
is deployed (``current_wording``). Deploying checks the template first (``check_template``)
and refuses it with every problem, changing nothing; going back to an earlier version deploys
its wording again as the newest (``restore``). Both are in the audit trail.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.config import PROJECT_ROOT
from engine.core.errors import NotFound
from engine.core.models import LetterTemplate, User
from engine.documents.letters.placeholders import PLACEHOLDERS, placeholders, sample_cases
from engine.documents.letters.wording import WordingProblem, WordingRefused, check

DEFAULTS_DIR = PROJECT_ROOT / "workflows" / "letters"


@dataclass(frozen=True)
class Wording:
    """A letter's template, and the deployed version it is (none: the shipped default)."""

    kind: str
    body: str
    version: int | None = None
    template_id: int | None = None

    @property
    def label(self) -> str:
        return f"version {self.version}" if self.version else "the shipped wording"


@cache
def _default_body(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def default_wording(kind: str) -> Wording:
    """The wording shipped with the service for ``kind``."""
    if kind not in PLACEHOLDERS:
        raise NotFound(f"there is no letter '{kind}'")
    return Wording(kind, _default_body(DEFAULTS_DIR / f"{kind}.txt"))


def _as_wording(row: LetterTemplate) -> Wording:
    return Wording(row.kind, row.body, row.version, row.id)


def current_wording(session: Session, kind: str) -> Wording:
    """The wording new letters of ``kind`` use: the newest deployed, else the shipped one."""
    newest = session.scalar(
        select(LetterTemplate)
        .where(LetterTemplate.kind == kind)
        .order_by(LetterTemplate.version.desc())
        .limit(1)
    )
    return _as_wording(newest) if newest is not None else default_wording(kind)


def versions(session: Session, kind: str) -> list[LetterTemplate]:
    """The deployed versions of ``kind``, newest first."""
    default_wording(kind)
    return list(
        session.scalars(
            select(LetterTemplate)
            .where(LetterTemplate.kind == kind)
            .order_by(LetterTemplate.version.desc())
        )
    )


def wording_version(session: Session, kind: str, version: int) -> Wording:
    """Version ``version`` of ``kind``'s wording; 0 is the shipped one."""
    if version == 0:
        return default_wording(kind)
    row = session.scalar(
        select(LetterTemplate).where(LetterTemplate.kind == kind, LetterTemplate.version == version)
    )
    if row is None:
        raise NotFound(f"there is no version {version} of this letter's wording")
    return _as_wording(row)


def check_template(kind: str, body: str) -> list[WordingProblem]:
    """Every check before the wording of ``kind`` is deployed; writes nothing."""
    default_wording(kind)
    samples = {name: known.sample for name, known in placeholders(kind).items()}
    return check(body, samples, sample_cases(kind))


def deploy(
    session: Session,
    kind: str,
    body: str,
    *,
    user: User | None,
    restored_from: int | None = None,
) -> tuple[LetterTemplate, bool]:
    """Deploy ``body`` as the newest version of ``kind``'s wording, and whether it is new: the
    same wording as the newest is not deployed again. Refused wording raises WordingRefused."""
    body = body.replace("\r\n", "\n")
    problems = check_template(kind, body)
    if problems:
        raise WordingRefused(problems)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    existing = versions(session, kind)
    if existing and existing[0].content_hash == digest:
        return existing[0], False
    row = LetterTemplate(
        kind=kind,
        version=(existing[0].version + 1) if existing else 1,
        body=body,
        content_hash=digest,
        restored_from=restored_from,
        deployed_by_id=user.id if user is not None else None,
        deployed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "letter_template.restored" if restored_from is not None else "letter_template.deployed",
        user=user,
        object_type="letter_template",
        object_id=row.id,
        detail={
            "kind": kind,
            "version": row.version,
            "sha256": digest,
            **({"restored_from": restored_from} if restored_from is not None else {}),
        },
    )
    return row, True


def restore(
    session: Session, kind: str, version: int, *, user: User | None
) -> tuple[LetterTemplate, bool]:
    """Go back to version ``version`` (0: the shipped wording), deploying it again as the
    newest."""
    earlier = wording_version(session, kind, version)
    return deploy(session, kind, earlier.body, user=user, restored_from=version)


def difference(old: Wording, new: Wording) -> list[tuple[str, str]]:
    """Line by line, what changed from ``old`` to ``new``: ("same" | "removed" | "added",
    line)."""
    lines: list[tuple[str, str]] = []
    for line in difflib.ndiff(old.body.splitlines(), new.body.splitlines()):
        sign, text = line[:2], line[2:]
        if sign == "  ":
            lines.append(("same", text))
        elif sign == "- ":
            lines.append(("removed", text))
        elif sign == "+ ":
            lines.append(("added", text))
    return lines
