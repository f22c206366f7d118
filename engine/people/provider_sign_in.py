"""Signing in through an organisation's own OpenID Connect provider: which organisations have
one, and who a provider's claims are and what they may do here.

The web layer runs the protocol and checks the ID token (state, nonce, PKCE, its issuer,
audience, expiry and signature) before it asks ``account_for_claims``. Signing in there never
gives access by itself: a person new to the service waits for a manager of their organisation
to give them roles, unless the area maps the provider's groups to roles, when their roles
follow their groups at every sign-in and go when the groups do.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.core import audit, clock
from engine.core.area_sign_in import DEFAULT_SCOPE, PASSWORD, PROVIDER
from engine.core.models import Organisation, User, UserRole
from engine.people.accounts import (
    LONGEST_EMAIL,
    LONGEST_NAME,
    AccountError,
    end_sessions,
    keep_duties_apart,
)
from engine.people.personal_tokens import end_every_token


@dataclass(frozen=True)
class ProviderSettings:
    """One organisation's provider, as the area file names it."""

    organisation_key: str
    organisation_name: str
    issuer: str
    client_id: str
    client_secret_env: str
    email_domains: tuple[str, ...]
    email_claim: str
    groups_claim: str
    roles: Mapping[str, tuple[str, ...]]
    password_allowed: bool
    scope: str = DEFAULT_SCOPE

    @property
    def client_secret(self) -> str:
        """The client's secret, from the environment variable the area file names ("" when it
        is not set, which the provider will refuse)."""
        return os.environ.get(self.client_secret_env, "")

    @property
    def roles_follow_groups(self) -> bool:
        return bool(self.roles)


def allows_password(organisation: Organisation) -> bool:
    """Whether the organisation's staff may sign in with the service's own passwords."""
    return organisation.sign_in is None or PASSWORD in organisation.sign_in["methods"]


def _settings(organisation: Organisation) -> ProviderSettings | None:
    sign_in = organisation.sign_in
    if sign_in is None or PROVIDER not in sign_in["methods"]:
        return None
    provider = sign_in["provider"]
    return ProviderSettings(
        organisation_key=organisation.key,
        organisation_name=organisation.name,
        issuer=provider["issuer"],
        client_id=provider["client_id"],
        client_secret_env=provider["client_secret_env"],
        email_domains=tuple(provider["email_domains"]),
        email_claim=provider["email_claim"],
        groups_claim=provider["groups_claim"],
        roles={group: tuple(roles) for group, roles in provider["roles"].items()},
        password_allowed=PASSWORD in sign_in["methods"],
        scope=provider.get("scope", DEFAULT_SCOPE),
    )


def organisations_with_providers(session: Session) -> list[ProviderSettings]:
    """Every organisation whose staff may sign in through their own provider, by name."""
    found = (
        _settings(organisation)
        for organisation in session.scalars(
            select(Organisation)
            .where(Organisation.sign_in.is_not(None))
            .order_by(Organisation.name)
        )
    )
    return [settings for settings in found if settings is not None]


def provider_settings(session: Session, organisation_key: str) -> ProviderSettings | None:
    organisation = session.scalar(select(Organisation).where(Organisation.key == organisation_key))
    return None if organisation is None else _settings(organisation)


def provider_for_email(session: Session, email: str) -> ProviderSettings | None:
    """The organisation whose provider signs in addresses like ``email``, if any."""
    domain = email.strip().lower().rpartition("@")[2]
    for settings in organisations_with_providers(session):
        if domain in settings.email_domains:
            return settings
    return None


class Outcome(enum.Enum):
    SIGNED_IN = "signed in"
    WAITING = "waiting for roles"
    REFUSED = "refused"


@dataclass(frozen=True)
class ProviderSignIn:
    """What a sign-in through a provider came to: the user (signed in, or waiting for roles),
    or why it was refused, in words for the person signing in."""

    outcome: Outcome
    user: User | None = None
    reason: str = ""
    # True the first time the person is seen (a new account, or one linked to its provider).
    first: bool = False


def account_for_claims(
    session: Session, settings: ProviderSettings, claims: Mapping[str, Any]
) -> ProviderSignIn:
    """The user the provider's checked claims are, made or linked on their first sign-in, with
    their roles brought in line with their groups where the area maps groups to roles; every
    outcome is recorded in the audit trail."""
    subject = claims.get("sub")
    email = claims.get(settings.email_claim)
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        return _refused(session, settings, "", "gave no identifier for you")
    if not isinstance(email, str) or "@" not in email or len(email) > LONGEST_EMAIL:
        return _refused(session, settings, "", "did not give your email address")
    email = email.strip().lower()
    # Absent (as from Entra ID) is taken as confirmed; anything but true (or "true") is not.
    if claims.get("email_verified", True) not in (True, "true"):
        return _refused(session, settings, email, "has not confirmed your email address")
    if email.rpartition("@")[2] not in settings.email_domains:
        return _refused(
            session,
            settings,
            email,
            f"gave the address {email}, which is not one of "
            f"{settings.organisation_name}'s ({', '.join(settings.email_domains)})",
        )
    organisation = session.scalar(
        select(Organisation).where(Organisation.key == settings.organisation_key)
    )
    assert organisation is not None  # the settings were read from it
    user = _known_user(session, settings.issuer, subject)
    first = user is None
    if user is None:
        user = _user_by_email(session, email)
        if user is not None and user.organisation_id != organisation.id:
            return _refused(
                session,
                settings,
                email,
                "gave an email address that belongs to an account of another organisation",
            )
        if user is not None and user.identity_subject is not None:
            return _refused(
                session,
                settings,
                email,
                "says you are someone other than the person this email address's account "
                "was first linked to",
            )
        if user is None:
            user = _new_user(session, organisation, settings, subject, email, claims)
        else:
            _link(session, user, settings, subject)
    elif user.organisation_id != organisation.id:
        return _refused(session, settings, email, "signed you in for another organisation")
    if not user.active:
        return _refused(session, settings, email, "signed you in, but your access has been stopped")
    if settings.roles_follow_groups:
        problem = _roles_from_groups(session, user, settings, claims)
        if problem:
            return _refused(session, settings, email, problem)
    if not user.roles:
        return ProviderSignIn(Outcome.WAITING, user, first=first)
    audit.record(
        session,
        "user.signed_in",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"via": "provider", "organisation": settings.organisation_key},
    )
    return ProviderSignIn(Outcome.SIGNED_IN, user)


def _known_user(session: Session, issuer: str, subject: str) -> User | None:
    return session.scalar(
        select(User)
        .where(User.identity_issuer == issuer, User.identity_subject == subject)
        .options(selectinload(User.role_rows), selectinload(User.organisation))
    )


def _user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User)
        .where(User.email == email)
        .options(selectinload(User.role_rows), selectinload(User.organisation))
    )


def _new_user(
    session: Session,
    organisation: Organisation,
    settings: ProviderSettings,
    subject: str,
    email: str,
    claims: Mapping[str, Any],
) -> User:
    name = claims.get("name")
    name = name.strip()[:LONGEST_NAME] if isinstance(name, str) and name.strip() else email
    user = User(
        email=email,
        name=name,
        organisation=organisation,
        password_hash=None,
        identity_issuer=settings.issuer,
        identity_subject=subject,
        created_at=clock.now(),
        role_rows=[],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"email": email, "organisation": organisation.key, "roles": [], "via": "provider"},
    )
    return user


def _link(session: Session, user: User, settings: ProviderSettings, subject: str) -> None:
    """An account made here before (by an administrator) meets its provider's identity."""
    user.identity_issuer, user.identity_subject = settings.issuer, subject
    audit.record(
        session,
        "user.identity_linked",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"organisation": settings.organisation_key},
    )


def _roles_from_groups(
    session: Session, user: User, settings: ProviderSettings, claims: Mapping[str, Any]
) -> str:
    """Give ``user`` the roles their groups map to, taking away the rest; a reason to refuse
    the sign-in, or ""."""
    if settings.groups_claim in (claims.get("_claim_names") or {}):
        # Entra ID's "overage": too many groups to send, so none are; reading that as no
        # groups would take everyone's roles away.
        return (
            "did not send your groups (you are in too many); ask your IT team to send only "
            "the groups this service uses"
        )
    groups = claims.get(settings.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
        return "sent your groups in a form the service cannot read"
    mapped = sorted({role for group in groups for role in settings.roles.get(group, ())})
    try:
        keep_duties_apart(mapped)
    except AccountError:
        return (
            "puts you in groups that would make you both an administrator and someone who "
            "works on cases; ask your IT team to keep them apart"
        )
    before = sorted(user.roles)
    if mapped == before:
        return ""
    if before:
        # Their access changed: every session of theirs ends, and with no roles left so do
        # their API tokens.
        end_sessions(user)
    if not mapped:
        # Revoked by the service, as the provider's groups say, not by the person.
        end_every_token(session, user, None, "no longer in a group that gives access")
    user.role_rows = [UserRole(role=role) for role in mapped]
    session.flush()
    audit.record(
        session,
        "user.roles_from_provider",
        user=user,
        object_type="user",
        object_id=user.id,
        detail={"before": before, "after": mapped, "organisation": settings.organisation_key},
    )
    return ""


def _refused(
    session: Session, settings: ProviderSettings, email: str, because: str
) -> ProviderSignIn:
    audit.record(
        session,
        "sign_in.provider_refused",
        object_type="sign_in",
        object_id=settings.organisation_key,
        detail={"organisation": settings.organisation_key, "email": email, "reason": because},
    )
    return ProviderSignIn(
        Outcome.REFUSED, reason=f"{settings.organisation_name}'s sign-in service {because}."
    )
