"""An appeal from the applicant (their own pages, or the API with their token), against the
latest letter that gave them an appeal route, on the grounds that letter named, while its
window is open; with a few files for the OPCC to look at, if they send them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from engine.applicant.your_case import appeal_chance, applicant_case
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.models import Appeal
from engine.intake.appeals import submit_appeal
from engine.people.applicant_codes import ApplicantAccess
from engine.records.attachments import (
    MOST_APPEAL_FILES,
    CheckedUpload,
    Upload,
    checked_uploads,
    keep_appeal_files,
)


def appeal_from_applicant(
    session: Session,
    access: ApplicantAccess,
    reference: str,
    answers: Mapping[str, Any],
    settings: Settings,
    files: Sequence[Upload] = (),
) -> Appeal:
    """Lodge the applicant's appeal (``answers``: ``grounds`` and ``details``) with ``files``,
    or refuse it with every reason (``InvalidData``; a file refused is named), storing
    nothing."""
    case = applicant_case(session, access, reference, purpose="appeal")
    chance = appeal_chance(session, case)
    if not chance.open or chance.letter_date is None:
        raise InvalidData("You cannot appeal at the moment", {"": chance.reason})
    grounds = [str(ground) for ground in answers.get("grounds") or []]
    problems = {}
    if not grounds:
        problems["grounds"] = "Choose at least one reason for your appeal"
    elif not set(grounds) <= set(chance.grounds):
        problems["grounds"] = "Choose from the reasons listed"
    checked: list[CheckedUpload] = []
    try:
        checked = checked_uploads(files, most=MOST_APPEAL_FILES)
    except InvalidData as refused:
        problems.update(refused.fields)
    if problems:
        raise InvalidData("Your appeal needs correcting", problems)
    payload = {
        "case_reference": case.reference,
        "letter_date": chance.letter_date.isoformat(),
        "grounds": grounds,
        "details": str(answers.get("details") or ""),
    }
    appeal = submit_appeal(session, payload, settings, user=None)
    keep_appeal_files(session, appeal, checked)
    return appeal
