"""An organisation's sign-in settings in the area file: what is taken, and what is refused
with the reason."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from engine.core.area import AreaFileError, parse_area
from engine.core.area_sign_in import SignInSettingError, parse_sign_in
from engine.core.config import DEFAULT_AREA_FILE

PROVIDER = {
    "issuer": "https://login.microsoftonline.com/0b1c-tenant/v2.0",
    "client_id": "5e0d-client",
    "client_secret_env": "CASEREVIEW_OIDC_POLICE",
    "email_domains": ["Derbyshire.Police.UK"],
}


def _with(**changes: Any) -> dict[str, Any]:
    provider = {**copy.deepcopy(PROVIDER), **changes}
    return {
        "sign_in": ["provider"],
        "provider": {k: v for k, v in provider.items() if v is not None},
    }


def test_an_organisation_without_settings_signs_in_with_passwords() -> None:
    assert parse_sign_in({}) is None
    assert parse_sign_in({"sign_in": ["password"]}) is None


def test_a_provider_is_kept_with_its_defaults_and_domains_in_lower_case() -> None:
    stored = parse_sign_in({**_with(), "sign_in": ["password", "provider"]})
    assert stored == {
        "methods": ["password", "provider"],
        "provider": {
            "issuer": "https://login.microsoftonline.com/0b1c-tenant/v2.0",
            "client_id": "5e0d-client",
            "client_secret_env": "CASEREVIEW_OIDC_POLICE",
            "email_domains": ["derbyshire.police.uk"],
            "email_claim": "email",
            "groups_claim": "",
            "roles": {},
            "scope": "openid email profile",
        },
    }


def test_groups_map_to_roles_read_from_the_groups_claim_by_default() -> None:
    stored = parse_sign_in(_with(roles={"ct-officers": ["agency_officer", "agency_officer"]}))
    assert stored is not None
    assert stored["provider"]["roles"] == {"ct-officers": ["agency_officer"]}
    assert stored["provider"]["groups_claim"] == "groups"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"sign_in": ["provider"]}, "[provider] is missing"),
        ({"sign_in": ["password"], "provider": PROVIDER}, "does not list 'provider'"),
        ({"sign_in": ["magic"]}, "'magic' is not one of password, provider"),
        ({"sign_in": []}, "must list one or both"),
        (_with(issuer="http://login.example.org"), "must be an https address"),
        (_with(issuer=None), "'issuer' is missing"),
        (_with(issuer="https://login.example.net/" + "t" * 480), "500 characters or fewer"),
        (_with(client_id=" "), "'client_id' is missing"),
        (_with(client_secret_env="s3cr3t-value"), "the name of an environment variable"),
        (_with(email_domains=[]), "'email_domains' must list"),
        (_with(email_domains=["not a domain"]), "'not a domain' is not an email domain"),
        (_with(roles={"group": ["superuser"]}), "'superuser' is not a role"),
        (_with(roles={"group": []}), "'group' must list one or more roles"),
        (_with(scope="email profile"), "must include openid"),
        (_with(tenant="x"), "unknown setting(s) tenant"),
    ],
)
def test_settings_that_cannot_work_are_refused_with_the_reason(
    item: dict[str, Any], reason: str
) -> None:
    with pytest.raises(SignInSettingError) as refused:
        parse_sign_in(item)
    assert reason in str(refused.value)


def test_an_http_issuer_is_taken_on_loopback_for_a_provider_on_the_same_machine() -> None:
    stored = parse_sign_in(_with(issuer="http://127.0.0.1:8123"))
    assert stored is not None
    assert stored["provider"]["issuer"] == "http://127.0.0.1:8123"


def test_the_area_file_names_the_organisation_whose_settings_are_wrong() -> None:
    raw = tomllib.loads(DEFAULT_AREA_FILE.read_text(encoding="utf-8"))
    police = next(o for o in raw["organisations"] if o["key"] == "derbyshire-constabulary")
    police["sign_in"] = ["provider"]
    with pytest.raises(AreaFileError) as refused:
        parse_area(raw, "derbyshire.toml")
    assert "organisation derbyshire-constabulary" in str(refused.value)
    assert "[provider] is missing" in str(refused.value)


def test_an_email_domain_belongs_to_one_organisation_s_provider() -> None:
    raw = tomllib.loads(DEFAULT_AREA_FILE.read_text(encoding="utf-8"))
    for key in ("derbyshire-constabulary", "dales-housing"):
        entry = next(o for o in raw["organisations"] if o["key"] == key)
        entry.update(_with(email_domains=["shared.example.org"]))
    with pytest.raises(AreaFileError) as refused:
        parse_area(raw, "derbyshire.toml")
    assert "the email domain shared.example.org is given to both" in str(refused.value)
