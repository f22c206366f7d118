"""Organisations whose staff sign in through their own OpenID Connect provider, set as an
area file would set them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.core.area_sign_in import parse_sign_in
from engine.core.db import Database
from engine.core.models import Organisation

POLICE_ORGANISATION = "derbyshire-constabulary"
POLICE_DOMAIN = "derbyshire.police.example"
SECRET_ENV = "CASEREVIEW_TEST_OIDC_SECRET"


def give_provider(
    db: Database,
    issuer: str,
    *,
    organisation: str = POLICE_ORGANISATION,
    client_id: str = "casereview",
    domains: tuple[str, ...] = (POLICE_DOMAIN,),
    methods: tuple[str, ...] = ("provider",),
    roles: dict[str, list[str]] | None = None,
    **more: Any,
) -> None:
    """Let ``organisation``'s staff sign in through the provider at ``issuer`` (with
    ``methods``), its client's secret in ``SECRET_ENV``; ``roles`` maps groups to roles."""
    provider: dict[str, Any] = {
        "issuer": issuer,
        "client_id": client_id,
        "client_secret_env": SECRET_ENV,
        "email_domains": list(domains),
        **more,
    }
    if roles is not None:
        provider["roles"] = roles
    sign_in = parse_sign_in({"sign_in": list(methods), "provider": provider})
    with db.transaction() as session:
        found = session.scalar(select(Organisation).where(Organisation.key == organisation))
        assert found is not None, organisation
        found.sign_in = sign_in
