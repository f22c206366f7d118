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
from engine.intake.appeals import check_appeal, submit_appeal
from engine.people.applicant_codes import ApplicantAccess
from engine.records.attachments import (
    MOST_APPEAL_FILES,
    CheckedUpload,
    Upload,
    checked_uploads,
    keep_appeal_files,
)

CHOOSE_GROUNDS = "Select why you are appealing"


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
        problems["grounds"] = CHOOSE_GROUNDS
    elif not set(grounds) <= set(chance.grounds):
        problems["grounds"] = f"{CHOOSE_GROUNDS} from the reasons listed"
    checked: list[CheckedUpload] = []
    try:
        checked = checked_uploads(files, most=MOST_APPEAL_FILES)
    except InvalidData as refused:
        problems.update(refused.fields)
    payload = {
        "case_reference": case.reference,
        "letter_date": chance.letter_date.isoformat(),
        "grounds": [ground for ground in grounds if ground in chance.grounds],
        "details": str(answers.get("details") or ""),
    }
    if problems:
        # What the form itself checks (the details' length) is told with the rest.
        for field, message in check_appeal(session, payload, settings)[0].items():
            problems.setdefault(field, message)
        raise InvalidData("Your appeal needs correcting", problems)
    appeal = submit_appeal(session, payload, settings, user=None)
    keep_appeal_files(session, appeal, checked)
    return appeal
