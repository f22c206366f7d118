"""A public body's answer to a request for information, with the files it sends, as an
agency's information return carries them: each file is checked by what it contains, with the
same types and size as any supporting file (``file_types``), before anything is kept, so a
refused file leaves a single-use link unspent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import User
from engine.records.attachments import Upload, checked_uploads
from engine.review.information_requests import (
    AnswerFile,
    RequestShown,
    answer_as_body,
    answer_by_link,
    checked_answer,
)

# As many as an appeal may carry and more: a body may send a file per incident it holds.
MOST_ANSWER_FILES = 10


def checked_answer_files(form: Mapping[str, Any], uploads: Sequence[Upload]) -> list[AnswerFile]:
    """The files to keep with the answer in ``form``. ``InvalidData`` naming every problem at
    once: on ``answer``, and on ``files`` (then ``files:2`` and on) for each file refused."""
    problems: dict[str, str] = {}
    try:
        checked_answer(form)
    except InvalidData as refused:
        problems |= refused.fields
    kept = []
    try:
        kept = checked_uploads(uploads, most=MOST_ANSWER_FILES)
    except InvalidData as refused:
        problems |= refused.fields
    if problems:
        raise InvalidData("The answer needs correcting", problems)
    return [AnswerFile(k.checked.filename, k.checked.media_type, k.content) for k in kept]


def answer_by_link_with_files(
    db: Database, token: str, form: Mapping[str, Any], uploads: Sequence[Upload]
) -> RequestShown:
    """``information_requests.answer_by_link`` with the files the body sent."""
    return answer_by_link(db, token, form, checked_answer_files(form, uploads))


def answer_as_body_with_files(
    session: Session,
    user: User,
    request_id: int,
    form: Mapping[str, Any],
    uploads: Sequence[Upload],
) -> RequestShown:
    """``information_requests.answer_as_body`` with the files the body's user sent."""
    return answer_as_body(session, user, request_id, form, checked_answer_files(form, uploads))
