"""Mail about people's passwords: the link for a forgotten one, and word that one changed.

Asking for a link is limited twice over, in the database's counts: per network address
(``TooManySubmissions``, whatever addresses were typed) and per typed email address, beyond
which no more links go out that hour but the answer is the same, so the limit tells no one
whether the address has an account.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from engine.chasing.notifications import notify
from engine.core import clock
from engine.core.area import service_url
from engine.core.counters import count_one, forget_before, kept_digest, within_allowance
from engine.core.models import User
from engine.people.passwords import RESET_LIFETIME, issue_reset_link

WINDOW = timedelta(hours=1)
LINKS_PER_EMAIL = 3
ASKS_PER_ADDRESS = 20
EMAIL_KEY = "password-reset:email:"
ADDRESS_KEY = "password-reset:address:"
# No personal data in a subject line: mail clients show it on locked screens and in lists.
RESET_SUBJECT = "Choose a new password for the ASB case review service"
CHANGED_SUBJECT = "Your password for the ASB case review service was changed"


def send_reset_link(session: Session, email: str, *, address: str) -> None:
    """Email a one-time link to choose a new password to the account with ``email``, if
    there is one and the address's hourly allowance of links is not used up; else nothing.
    ``TooManySubmissions`` when this network address has asked too often this hour."""
    now = clock.now()
    for prefix in (EMAIL_KEY, ADDRESS_KEY):
        forget_before(session, prefix, now - WINDOW)
    address_key = f"{ADDRESS_KEY}{(address or 'unknown')[:64]}"
    within_allowance(session, address_key, ASKS_PER_ADDRESS, now, WINDOW)
    typed = kept_digest(email.strip().lower())
    if count_one(session, f"{EMAIL_KEY}{typed}", now, WINDOW)[0] > LINKS_PER_EMAIL:
        return
    issued = issue_reset_link(session, email)
    if issued is None:
        return
    user, token = issued
    minutes = int(RESET_LIFETIME.total_seconds() // 60)
    site = service_url(session)
    notify(
        session,
        key=f"password_reset:{kept_digest(token)[:32]}",
        kind="password_reset",
        subject=RESET_SUBJECT,
        body="\n".join(
            [
                f"Hello {user.name},",
                "",
                "Someone asked to choose a new password for your account. To choose one, "
                f"open this link within {minutes} minutes. It works once:",
                f"{site}/sign-in/reset/{token}",
                "",
                f"If it has stopped working, ask for a new one at {site}/sign-in/forgotten.",
                "",
                "If you did not ask, you can ignore this email: your password has not changed.",
            ]
        ),
        user=user,
    )


def tell_password_changed(session: Session, user: User) -> None:
    """Tell ``user`` by email that their password was changed, so a change they did not make
    does not go unnoticed."""
    now = clock.now()
    notify(
        session,
        key=f"password_changed:{user.id}:{now:%Y%m%dT%H%M%S%f}",
        kind="password_changed",
        subject=CHANGED_SUBJECT,
        body=(
            f"Hello {user.name},\n\n"
            f"The password for your account was changed on {now:%d %B %Y at %H:%M} (UTC). "
            "You have been signed out everywhere else.\n\n"
            "If you did not change it, tell your administrator at once."
        ),
        user=user,
    )
