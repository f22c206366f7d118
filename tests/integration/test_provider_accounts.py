"""Who a provider's checked claims are, and what they may do here: a first sign-in gives no
access by itself, roles follow groups where the area maps them, leaving ends access, and an
address that is another organisation's account is refused. The protocol itself is tested
against a real provider in tests/browser/test_organisation_sign_in.py."""

from __future__ import annotations

import logging
import time
import tomllib
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.area_sign_in import parse_sign_in
from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import ApiToken, AuditEvent, User
from engine.people.accounts import AccountError, add_user
from engine.people.passwords import issue_reset_link
from engine.people.personal_tokens import READ_ONLY, TokenAnswers, make_token
from engine.people.provider_sign_in import (
    Outcome,
    ProviderSignIn,
    account_for_claims,
    provider_for_email,
    provider_settings,
)
from engine.people.sign_in import PasswordNotAllowed, SignInPolicy, sign_in
from engine.people.tokens import held_token, issue_token
from engine.people.waiting_people import give_roles, turn_away, waiting_users
from tests.support.files import ROOT
from tests.support.people import ADMIN, DEMO_PASSWORD, MANAGER, POLICE, add_administrator, user
from tests.support.providers import POLICE_DOMAIN, POLICE_ORGANISATION, SECRET_ENV, give_provider
from tests.support.web import make_app, page_sign_in

ISSUER = "https://login.example.net/police-tenant/v2.0"
OFFICER = f"pat.ryan@{POLICE_DOMAIN}"


def claims(email: str = OFFICER, **more: Any) -> dict[str, Any]:
    return {"sub": f"subject-of-{email}", "email": email, "name": "Pat Ryan", **more}


def signs_in(db: Database, found: dict[str, Any]) -> ProviderSignIn:
    with db.transaction() as session:
        settings = provider_settings(session, POLICE_ORGANISATION)
        assert settings is not None
        outcome = account_for_claims(session, settings, found)
        if outcome.user is not None:
            outcome.user.roles  # noqa: B018 - loaded while the session is open
        return outcome


def actions(db: Database, action: str) -> list[dict[str, Any]]:
    with db.read() as session:
        return [
            event.detail
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        ]


@pytest.fixture
def police_provider(db: Database) -> Database:
    give_provider(db, ISSUER)
    return db


def test_a_first_sign_in_makes_a_person_who_waits_with_no_roles_and_no_password(
    police_provider: Database,
) -> None:
    outcome = signs_in(police_provider, claims())
    assert outcome.outcome is Outcome.WAITING
    with police_provider.read() as session:
        made = session.scalar(select(User).where(User.email == OFFICER))
        assert made is not None
        assert (made.name, made.roles, made.password_hash) == ("Pat Ryan", [], None)
        assert (made.identity_issuer, made.identity_subject) == (ISSUER, f"subject-of-{OFFICER}")
        assert made.organisation.key == POLICE_ORGANISATION
    assert actions(police_provider, "user.created")[-1]["via"] == "provider"
    # Signing in again changes nothing until a manager answers.
    assert signs_in(police_provider, claims()).outcome is Outcome.WAITING


def test_a_manager_of_the_organisation_gives_roles_and_the_next_sign_in_works(
    police_provider: Database,
) -> None:
    signs_in(police_provider, claims())
    with police_provider.transaction() as session:
        add_user(
            session,
            email="inspector@example.org",
            name="Inspector",
            organisation_key=POLICE_ORGANISATION,
            roles=["manager"],
            password=DEMO_PASSWORD,
        )
    police_manager = user(police_provider, "inspector@example.org")
    council_manager = user(police_provider, MANAGER)
    with police_provider.read() as session:
        assert [p.email for p in waiting_users(session, police_manager)] == [OFFICER]
        assert waiting_users(session, council_manager) == []
        waiting_id = waiting_users(session, police_manager)[0].id
    with police_provider.transaction() as session, pytest.raises(NotFound):
        give_roles(session, council_manager, waiting_id, ["agency_officer"])
    for not_a_manager_s_to_give in ("administrator", "process_owner", "review_chair"):
        with police_provider.transaction() as session, pytest.raises(AccountError) as refused:
            give_roles(session, police_manager, waiting_id, [not_a_manager_s_to_give])
        assert refused.value.field == "roles"
    with police_provider.transaction() as session:
        give_roles(session, police_manager, waiting_id, ["agency_officer"])
    outcome = signs_in(police_provider, claims())
    assert outcome.outcome is Outcome.SIGNED_IN
    assert outcome.user is not None and outcome.user.roles == ["agency_officer"]
    assert actions(police_provider, "user.signed_in")[-1] == {
        "via": "provider",
        "organisation": POLICE_ORGANISATION,
    }


def test_someone_turned_away_is_refused_at_their_next_sign_in(police_provider: Database) -> None:
    signs_in(police_provider, claims())
    with police_provider.read() as session:
        waiting_id = session.scalar(select(User.id).where(User.email == OFFICER))
    add_administrator(police_provider)
    with police_provider.transaction() as session:
        turn_away(session, user(police_provider, ADMIN), waiting_id or 0)
    outcome = signs_in(police_provider, claims())
    assert outcome.outcome is Outcome.REFUSED
    assert "your access has been stopped" in outcome.reason


@pytest.fixture
def grouped(db: Database) -> Database:
    give_provider(
        db,
        ISSUER,
        roles={"ct-officers": ["agency_officer"], "ct-managers": ["manager"]},
    )
    return db


def test_roles_follow_the_groups_at_every_sign_in_and_go_when_the_groups_do(
    grouped: Database,
) -> None:
    first = signs_in(grouped, claims(groups=["ct-officers", "all-staff"]))
    assert first.outcome is Outcome.SIGNED_IN
    assert first.user is not None and first.user.roles == ["agency_officer"]
    promoted = signs_in(grouped, claims(groups=["ct-officers", "ct-managers"]))
    assert promoted.user is not None and promoted.user.roles == ["agency_officer", "manager"]
    with grouped.transaction() as session:
        person = session.get_one(User, promoted.user.id)
        generation = person.session_generation
        issue_token(session, person)
        kept = make_token(
            session, person, TokenAnswers("Case system", "2026-05-31", READ_ONLY), ()
        ).token
    left = signs_in(grouped, claims(groups=["all-staff"]))
    assert left.outcome is Outcome.WAITING
    with grouped.read() as session:
        person = session.get_one(User, promoted.user.id)
        assert person.roles == []
        assert person.session_generation > generation, "their sessions end with their access"
        assert held_token(session, kept) is None, "their personal access token is revoked"
        revoked_by = session.scalars(
            select(ApiToken.revoked_by_id).where(ApiToken.user_id == person.id)
        ).all()
        assert revoked_by == [None], "by the service, as the groups say, not by the person"
        assert session.scalars(
            select(ApiToken.scope).where(ApiToken.user_id == person.id)
        ).all() == [READ_ONLY], (
            "their password token is gone; the personal one stays listed, revoked"
        )
    assert actions(grouped, "user.roles_from_provider")[-1]["after"] == []


@pytest.mark.parametrize(
    ("found", "reason"),
    [
        (
            claims(_claim_names={"groups": "src1"}, _claim_sources={"src1": {}}),
            "did not send your groups (you are in too many)",
        ),
        (claims(groups=7), "sent your groups in a form the service cannot read"),
    ],
)
def test_groups_the_service_cannot_read_leave_roles_as_they_were(
    grouped: Database, found: dict[str, Any], reason: str
) -> None:
    first = signs_in(grouped, claims(groups=["ct-officers"]))
    assert first.outcome is Outcome.SIGNED_IN
    outcome = signs_in(grouped, found)
    assert outcome.outcome is Outcome.REFUSED and reason in outcome.reason
    with grouped.read() as session:
        assert session.get_one(User, first.user.id).roles == ["agency_officer"]


def test_groups_that_would_make_an_administrator_who_works_on_cases_are_refused(
    db: Database,
) -> None:
    give_provider(db, ISSUER, roles={"it": ["administrator"], "ct": ["caseworker"]})
    outcome = signs_in(db, claims(groups=["it", "ct"]))
    assert outcome.outcome is Outcome.REFUSED
    assert "both an administrator and someone who works on cases" in outcome.reason


def test_a_manager_cannot_hand_out_roles_that_follow_groups(grouped: Database) -> None:
    signs_in(grouped, claims(groups=[]))
    add_administrator(grouped)
    admin = user(grouped, ADMIN)
    with grouped.read() as session:
        waiting_id = waiting_users(session, admin)[0].id
    with grouped.transaction() as session, pytest.raises(AccountError) as refused:
        give_roles(session, admin, waiting_id, ["agency_officer"])
    assert "ask its IT team to add this person to a group" in str(refused.value)


@pytest.mark.parametrize(
    ("found", "reason"),
    [
        (claims("pat@gmail.example"), "which is not one of Derbyshire Constabulary's"),
        (claims(email_verified=False), "has not confirmed your email address"),
        (claims(email_verified="false"), "has not confirmed your email address"),
        ({"sub": "x"}, "did not give your email address"),
        ({"email": OFFICER}, "gave no identifier for you"),
    ],
)
def test_claims_that_cannot_be_this_organisation_s_person_are_refused(
    police_provider: Database, found: dict[str, Any], reason: str
) -> None:
    outcome = signs_in(police_provider, found)
    assert outcome.outcome is Outcome.REFUSED
    assert reason in outcome.reason
    assert outcome.reason.startswith("Derbyshire Constabulary's sign-in service")
    assert actions(police_provider, "sign_in.provider_refused")[-1]["organisation"] == (
        POLICE_ORGANISATION
    )


def test_an_address_that_is_another_organisation_s_account_is_refused(
    police_provider: Database,
) -> None:
    give_provider(police_provider, ISSUER, domains=(POLICE_DOMAIN, "example.org"))
    outcome = signs_in(police_provider, claims(MANAGER))
    assert outcome.outcome is Outcome.REFUSED
    assert "belongs to an account of another organisation" in outcome.reason
    with police_provider.read() as session:
        council_manager = session.scalar(select(User).where(User.email == MANAGER))
        assert council_manager is not None and council_manager.identity_subject is None


def test_an_account_an_administrator_made_is_linked_at_its_first_sign_in(
    police_provider: Database,
) -> None:
    """The police officer of the tests signs in through the provider with their address at the
    police's domain allowed: the account keeps its roles and learns its identity."""
    give_provider(police_provider, ISSUER, domains=(POLICE_DOMAIN, "example.org"))
    outcome = signs_in(police_provider, claims(POLICE))
    assert outcome.outcome is Outcome.SIGNED_IN
    assert outcome.user is not None and outcome.user.roles == ["agency_officer"]
    assert actions(police_provider, "user.identity_linked")
    # Another subject with the same address is someone else.
    other = signs_in(police_provider, claims(POLICE, sub="another-subject"))
    assert other.outcome is Outcome.REFUSED
    # Linked, they sign in only through the provider, whose checks and groups cannot be gone
    # around with a password, though the police allow passwords to others.
    give_provider(
        police_provider,
        ISSUER,
        domains=(POLICE_DOMAIN, "example.org"),
        methods=("provider", "password"),
    )
    with pytest.raises(PasswordNotAllowed):
        sign_in(
            police_provider, POLICE, DEMO_PASSWORD, address="", policy=SignInPolicy(), via="web"
        )
    with police_provider.transaction() as session:
        assert issue_reset_link(session, POLICE) is None


def test_organisations_are_found_by_their_staff_s_email_domains(police_provider: Database) -> None:
    with police_provider.read() as session:
        found = provider_for_email(session, f"Someone@{POLICE_DOMAIN.upper()}")
        assert found is not None and found.organisation_key == POLICE_ORGANISATION
        assert provider_for_email(session, "someone@example.org") is None


def test_a_password_is_refused_where_the_organisation_signs_in_only_through_its_provider(
    police_provider: Database,
) -> None:
    with pytest.raises(PasswordNotAllowed) as refused:
        sign_in(
            police_provider, POLICE, DEMO_PASSWORD, address="", policy=SignInPolicy(), via="api"
        )
    assert "Derbyshire Constabulary signs its staff in with their own organisation's account" in (
        str(refused.value)
    )
    # A wrong password is answered as any wrong password, saying nothing of the organisation.
    assert (
        sign_in(police_provider, POLICE, "wrong", address="", policy=SignInPolicy(), via="api")
        is None
    )
    give_provider(police_provider, ISSUER, methods=("provider", "password"))
    signed = sign_in(
        police_provider, POLICE, DEMO_PASSWORD, address="", policy=SignInPolicy(), via="api"
    )
    assert signed is not None


def test_the_pages_say_why_a_password_is_refused_and_offer_the_organisation_s_account(
    police_provider: Database, tmp_path: Any
) -> None:
    app: Flask = make_app(police_provider, tmp_path)
    client = app.test_client()
    refused = page_sign_in(client, POLICE, DEMO_PASSWORD)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "signs its staff in with their own organisation" in text
    assert 'id="organisation-sign-in"' in text
    api = client.post("/api/v1/auth/token", json={"email": POLICE, "password": DEMO_PASSWORD})
    assert api.status_code == 403
    assert "own organisation's account" in api.get_json()["error"]


def test_a_provider_whose_secret_is_not_set_gets_one_page_and_one_line_in_the_log(
    police_provider: Database,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    caplog.set_level(logging.WARNING)
    client = make_app(police_provider, tmp_path).test_client()
    answer = client.get(f"/sign-in/organisation/{POLICE_ORGANISATION}")
    assert answer.status_code == 503
    assert "not set up to work with this service" in answer.get_data(as_text=True)
    lines = [line.getMessage() for line in caplog.records if line.name.startswith("web.")]
    assert len(lines) == 1
    assert SECRET_ENV in lines[0] and "is not set" in lines[0]


def test_the_entra_id_example_in_the_operations_guide_is_a_working_setting() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    example = guide.split("An Entra ID (Azure AD) example", 1)[1].split("```toml", 1)[1]
    entry = tomllib.loads(example.split("```", 1)[0])["organisations"][0]
    stored = parse_sign_in(entry)
    assert stored is not None
    assert stored["provider"]["roles"]["CaseReview.Manager"] == ["agency_officer", "manager"]


def test_no_password_link_is_sent_where_a_password_would_open_nothing(
    police_provider: Database,
) -> None:
    with police_provider.transaction() as session:
        assert issue_reset_link(session, POLICE) is None
        assert issue_reset_link(session, MANAGER) is not None, "the council still uses passwords"


def test_someone_who_signs_in_only_through_their_provider_has_no_password_to_change(
    grouped: Database, tmp_path: Any
) -> None:
    signs_in(grouped, claims(groups=["ct-officers"]))
    client = make_app(grouped, tmp_path).test_client()
    with grouped.read() as session:
        officer = session.scalar(select(User).where(User.email == OFFICER))
        assert officer is not None
    # Signed in as the provider's sign-in leaves them (the browser tests go through it).
    with client.session_transaction() as browser:
        browser.update(user_id=officer.id, generation=officer.session_generation, since=time.time())
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "this service holds no password for you" in page.get_data(as_text=True)


def test_what_the_provider_says_when_it_refuses_stays_on_one_line_of_the_log(
    police_provider: Database,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(SECRET_ENV, "a secret")
    caplog.set_level(logging.WARNING)
    client = make_app(police_provider, tmp_path).test_client()
    with client.session_transaction() as browser:
        browser["provider_sign_in"] = {"organisation": POLICE_ORGANISATION, "next": "/"}
    answer = client.get(
        "/sign-in/organisation/callback",
        query_string={"error": "access_denied", "error_description": "no\nFAKE: signed in"},
    )
    assert answer.status_code == 403
    assert "did not sign you in" in answer.get_data(as_text=True)
    lines = [line.getMessage() for line in caplog.records if line.name.startswith("web.")]
    assert len(lines) == 1 and "\n" not in lines[0]
