"""Cases to find: applications from people with names, addresses and postcodes to search for,
in two districts, on different days, one of them on paper; and odd things to search for."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import Case, User
from engine.intake.applications import submit_application
from tests.support.people import COUNCIL
from tests.support.procedure import SETTINGS, application

# The cases, by a name for each: who applied, where, and for whom.
PEOPLE = {
    "obrien": {
        "district": "derbyshire-dales",
        "applicant": {
            "name": "Priya O'Brien",
            "address": "12 Chapel Street, Matlock",
            "postcode": "DE4 3AG",
            "email": "priya@example.com",
        },
    },
    "smith": {
        "district": "derbyshire-dales",
        "applicant": {"name": "Tom Smith", "address": "4 Mill Lane, Wirksworth DE4 4FG"},
        "on_behalf": True,
        "victim": {"name": "Ava Smithson", "address": "4 Mill Lane, Wirksworth"},
        "victim_consent": True,
        "contact_preference": "letter",
    },
    "erewash": {
        "district": "erewash",
        "applicant": {
            "name": "Grace Smith",
            "address": "9 Derby Road, Ilkeston",
            "postcode": "DE7 5RA",
            "email": "grace@example.com",
        },
    },
}
# A paper application, entered by the council on the day it came.
PAPER = {
    "district": "derbyshire-dales",
    "applicant": {"name": "Jack Hall", "address": "3 Bank Road, Matlock", "postcode": "DE4 5GH"},
    "contact_preference": "letter",
    "received_on": "2026-02-16",
}
# What people might type, or paste, or try: none of it is an error.
ODD_SEARCHES = [
    "'",
    '"',
    "O'Brien",
    '"smith',
    "%",
    "_",
    "*",
    "smi*",
    "%smith%",
    "s_ith",
    "NEAR(smith tom)",
    "smith AND tom",
    "smith OR",
    "NOT smith",
    "-smith",
    "smith:*",
    "smith & tom | !x",
    "{col}: smith",
    "^smith",
    "'; DROP TABLE cases; --",
    "1' OR '1'='1",
    "SELECT * FROM cases",
    "\\",
    "\x00",
    "\t\r\n",
    "ct-2026-",
    "ct-2026-8",
    "CT-2026-00001'",
    "Zoë Łukasz 李小龙",
    "🙂",
    "İstanbul straße",
    "smith " * 300,
    "x" * 2000,
]


def submit_as_council(db: Database, payload: dict) -> str:
    """A paper application, entered by the council's caseworker: its reference."""
    with db.transaction() as session:
        council = session.scalar(select(User).where(User.email == COUNCIL))
        return submit_application(session, payload, SETTINGS, user=council).reference


def searchable(db: Database, clock: FixedClock) -> dict[str, str]:
    """The cases of ``PEOPLE``, a day apart from 2 March 2026, and the paper one received on
    16 February: their references by name ("paper" for the paper one)."""
    references = {}
    for name, changes in PEOPLE.items():
        with db.transaction() as session:
            references[name] = submit_application(
                session, application(**changes), SETTINGS
            ).reference
        clock.advance(timedelta(days=1))
    references["paper"] = submit_as_council(db, application(**PAPER))
    return references


def case_id(db: Database, reference: str) -> int:
    with db.read() as session:
        return session.scalar(select(Case.id).where(Case.reference == reference))


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))
