"""How an organisation's staff sign in, as its entry in the area file says: the service's own
passwords, their organisation's OpenID Connect provider, or both.

An organisation with a provider names it like this (the secret itself stays in the
environment, never in the file)::

    [[organisations]]
    key = "derbyshire-constabulary"
    sign_in = ["provider", "password"]

    [organisations.provider]
    issuer = "https://login.microsoftonline.com/TENANT-ID/v2.0"
    client_id = "..."
    client_secret_env = "CASEREVIEW_OIDC_DERBYSHIRE_CONSTABULARY"
    email_domains = ["derbyshire.police.uk"]
    email_claim = "email"          # Entra ID without optional claims: "preferred_username"
    groups_claim = "groups"        # only with [organisations.provider.roles]
    scope = "openid email profile" # the default; some providers need another for groups

    [organisations.provider.roles]
    "casereview-officers" = ["agency_officer"]

Without ``roles`` a person signing in for the first time waits for a manager of their
organisation to give them roles; with it, their roles follow their groups at every sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from engine.core.models import ROLES

PASSWORD = "password"
PROVIDER = "provider"
SIGN_IN_METHODS = (PASSWORD, PROVIDER)

_PROVIDER_KEYS = {
    "issuer",
    "client_id",
    "client_secret_env",
    "email_domains",
    "email_claim",
    "groups_claim",
    "roles",
    "scope",
}
DEFAULT_SCOPE = "openid email profile"
LONGEST_ISSUER = 500  # as users.identity_issuer keeps it
_ENVIRONMENT_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SignInSettingError(ValueError):
    """An organisation's sign-in settings cannot be used; the message says what to fix."""


def parse_sign_in(item: dict[str, Any]) -> dict[str, Any] | None:
    """An organisation entry's sign-in settings, as stored with the organisation: None for the
    service's passwords alone (the default), else ``{"methods": [...], "provider": {...}}``."""
    methods = item.get("sign_in", [PASSWORD])
    provider = item.get("provider")
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, list) or not methods:
        raise SignInSettingError(f"'sign_in' must list one or both of {', '.join(SIGN_IN_METHODS)}")
    unknown = [method for method in methods if method not in SIGN_IN_METHODS]
    if unknown:
        raise SignInSettingError(
            f"'sign_in': '{unknown[0]}' is not one of {', '.join(SIGN_IN_METHODS)}"
        )
    if PROVIDER in methods and provider is None:
        raise SignInSettingError("'sign_in' names a provider but [provider] is missing")
    if provider is not None and PROVIDER not in methods:
        raise SignInSettingError("[provider] is given but 'sign_in' does not list 'provider'")
    if methods == [PASSWORD]:
        return None
    return {"methods": sorted(set(methods)), "provider": _parse_provider(provider)}


def check_domains_apart(sign_ins: Mapping[str, dict[str, Any] | None]) -> None:
    """``SignInSettingError`` when two organisations' providers claim one email domain: a
    person of that domain could otherwise be made a member of either."""
    seen: dict[str, str] = {}
    for key, sign_in in sign_ins.items():
        if sign_in is None:
            continue
        for domain in sign_in["provider"]["email_domains"]:
            if domain in seen:
                raise SignInSettingError(
                    f"the email domain {domain} is given to both {seen[domain]} and {key}; "
                    "each domain's staff belong to one organisation"
                )
            seen[domain] = key


def _parse_provider(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SignInSettingError("[provider] must be a table")
    unknown = sorted(set(raw) - _PROVIDER_KEYS)
    if unknown:
        raise SignInSettingError(f"[provider]: unknown setting(s) {', '.join(unknown)}")
    issuer = _text(raw, "issuer")
    if len(issuer) > LONGEST_ISSUER:
        raise SignInSettingError(f"[provider]: issuer must be {LONGEST_ISSUER} characters or fewer")
    address = urlsplit(issuer)
    if address.scheme != "https" and not (
        address.scheme == "http" and address.hostname in _LOOPBACK
    ):
        raise SignInSettingError(
            f"[provider]: issuer '{issuer}' must be an https address (http only on loopback)"
        )
    secret_env = _text(raw, "client_secret_env")
    if not _ENVIRONMENT_NAME.fullmatch(secret_env):
        raise SignInSettingError(
            f"[provider]: client_secret_env '{secret_env}' must be the name of an environment "
            "variable, in capitals (the secret itself never goes in the area file)"
        )
    domains = raw.get("email_domains")
    if not isinstance(domains, list) or not domains:
        raise SignInSettingError("[provider]: 'email_domains' must list the allowed domains")
    domains = [str(domain).strip().lower() for domain in domains]
    bad = [domain for domain in domains if not _DOMAIN.fullmatch(domain)]
    if bad:
        raise SignInSettingError(f"[provider]: '{bad[0]}' is not an email domain")
    scope = str(raw.get("scope", DEFAULT_SCOPE))
    if "openid" not in scope.split():
        raise SignInSettingError(f"[provider]: scope '{scope}' must include openid")
    roles = _parse_roles(raw.get("roles", {}))
    groups_claim = raw.get("groups_claim", "groups" if roles else "")
    if roles and not groups_claim:
        raise SignInSettingError("[provider]: 'roles' needs the 'groups_claim' to read")
    return {
        # Compared exactly with the issuer the provider announces, as OpenID Connect asks.
        "issuer": issuer,
        "client_id": _text(raw, "client_id"),
        "client_secret_env": secret_env,
        "email_domains": domains,
        "email_claim": str(raw.get("email_claim", "email")),
        "groups_claim": str(groups_claim),
        "roles": roles,
        "scope": scope,
    }


def _parse_roles(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise SignInSettingError("[provider.roles] must map a group to a list of roles")
    roles: dict[str, list[str]] = {}
    for group, given in raw.items():
        if not isinstance(given, list) or not given:
            raise SignInSettingError(f"[provider.roles]: '{group}' must list one or more roles")
        unknown = [role for role in given if role not in ROLES]
        if unknown:
            raise SignInSettingError(
                f"[provider.roles]: '{unknown[0]}' is not a role; use {', '.join(ROLES)}"
            )
        roles[str(group)] = sorted(set(given))
    return roles


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SignInSettingError(f"[provider]: '{key}' is missing")
    return value.strip()
