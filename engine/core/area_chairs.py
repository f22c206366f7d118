"""The area file's list of review chairs: the people an area keeps ready to chair its case
reviews, some of them shared with neighbouring partnerships.

The guidance recommends chairs independent of the agencies whose handling is under review. A
listed chair may come from one of the area's organisations (named by its key) or from an
outside body, such as a neighbouring partnership (named in words): a chair from outside is
independent of every case here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What a listed chair may say, each checked when the file is read.
CHAIR_SETTINGS = ("name", "email", "organisation", "shared_with")


class ChairListError(ValueError):
    """A chair on the area's list cannot be used; the message says which and why."""


def parse_chairs(value: Any, organisations: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ``[[chairs]]`` tables as the settings keep them, from the area file's values and
    its organisations (key to name).

    Each chair: ``name``, ``email`` (in lower case), ``organisation`` (as written),
    ``organisation_key`` (the area organisation it names, or "" for an outside body),
    ``organisation_name`` (that organisation's name, or the words written) and
    ``shared_with`` (the partnerships it is shared with, possibly none)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ChairListError("chairs must be a list of [[chairs]] tables")
    chairs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, item in enumerate(value, start=1):
        where = f"chair {number}"
        if not isinstance(item, dict):
            raise ChairListError(f"{where} must be a table with a name, email and organisation")
        unknown = sorted(set(item) - set(CHAIR_SETTINGS))
        if unknown:
            raise ChairListError(
                f"{where}: unknown setting(s) {', '.join(unknown)}; a chair has "
                f"{', '.join(CHAIR_SETTINGS)}"
            )
        name = _words(item.get("name"), f"{where}: 'name' must be the chair's name")
        where = f"chair {name}"
        email = _email(item.get("email"), where)
        if email in seen:
            raise ChairListError(f"{where}: {email} is listed twice")
        seen.add(email)
        organisation = _words(
            item.get("organisation"),
            f"{where}: 'organisation' must be the key of one of the area's organisations, or "
            "the name of the body they come from (such as a neighbouring partnership)",
        )
        chairs.append(
            {
                "name": name,
                "email": email,
                "organisation": organisation,
                "organisation_key": organisation if organisation in organisations else "",
                "organisation_name": organisations.get(organisation, organisation),
                "shared_with": _shared_with(item.get("shared_with", []), where),
            }
        )
    return chairs


def _words(value: Any, problem: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ChairListError(problem)
    return value.strip()


def _email(value: Any, where: str) -> str:
    email = value.strip().lower() if isinstance(value, str) else ""
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or domain.startswith("."):
        raise ChairListError(f"{where}: 'email' must be the chair's email address")
    return email


def _shared_with(value: Any, where: str) -> list[str]:
    problem = (
        f"{where}: 'shared_with' must list the names of the partnerships the chair is shared "
        'with, such as ["Nottinghamshire Community Safety Partnership"]'
    )
    if not isinstance(value, list):
        raise ChairListError(problem)
    names = [_words(name, problem) for name in value]
    if len(set(names)) != len(names):
        raise ChairListError(problem)
    return names
