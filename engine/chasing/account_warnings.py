"""Telling people by email when someone is guessing at their account's password."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.chasing.notifications import notify
from engine.core import clock
from engine.core.models import User

SUBJECT = "Someone is trying to sign in to your account"


def warn_of_guessing(session: Session, user: User, failures: int) -> None:
    """Tell ``user`` that their password has been typed wrongly ``failures`` times lately.

    Their account stays open to them: wrong passwords from elsewhere only slow the checks,
    so the message says what to do rather than that anything was locked.
    """
    now = clock.now()
    notify(
        session,
        key=f"sign-in-guessed:{user.id}:{now:%Y%m%dT%H%M%S}",
        kind="sign_in_guessed",
        subject=SUBJECT,
        body=(
            f"Someone has typed a wrong password for your account {failures} times in the "
            "last few minutes.\n\n"
            "If this was you, wait a few minutes and try again, or ask your administrator "
            "for a new password.\n\n"
            "If this was not you, tell your administrator. Your account has not been locked "
            "and you can still sign in as usual. Never share your password, and never type "
            "it into a page you reached from a link in an email."
        ),
        user=user,
    )
