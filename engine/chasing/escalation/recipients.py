"""Who is told of a task due for chasing: the people and organisations of the area, read once
per sweep, and the recipients a plan names resolved for one task."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.chasing.escalation.batches import ChasedTask
from engine.core.models import District, Organisation, User, UserRole
from engine.people.access import CASE_ROLES

# Officers who do the work; a manager is told of work only when it is late, or when the
# organisation has no officer.
OFFICER_ROLES = frozenset({"caseworker", "agency_officer", "review_chair"})


@dataclass(frozen=True)
class Person:
    """Someone who may be told, as the directory read them."""

    id: int
    email: str
    name: str
    organisation_id: int
    roles: frozenset[str]


@dataclass(frozen=True)
class Recipient:
    """An address a message goes to, and the person it is when it is someone's own."""

    email: str
    organisation_id: int | None
    person: Person | None = None

    @property
    def key(self) -> str:
        # Part of the notification's key: each step tells each recipient once, however often
        # the sweep runs.
        if self.person is not None:
            return f"user:{self.person.id}"
        address = self.email.lower()
        if len(address) > 100:
            address = hashlib.sha256(address.encode()).hexdigest()[:32]
        return f"email:{address}"


@dataclass
class Directory:
    """Who works where, read once per sweep: small tables, so no query per task."""

    people: dict[int, Person]
    by_organisation: dict[int, list[Person]]
    by_email: dict[str, Person]
    organisations: dict[int, tuple[str, str, str]]  # id -> (name, kind, email)
    districts: dict[int, tuple[str, int | None, str]]  # id -> (name, lead council, spoc email)

    @classmethod
    def load(cls, session: Session) -> Directory:
        roles: dict[int, set[str]] = defaultdict(set)
        for user_id, role in session.execute(select(UserRole.user_id, UserRole.role)):
            roles[user_id].add(role)
        people = {
            row.id: Person(
                row.id, row.email, row.name, row.organisation_id, frozenset(roles[row.id])
            )
            for row in session.execute(
                select(User.id, User.email, User.name, User.organisation_id).where(
                    User.active.is_(True)
                )
            )
        }
        by_organisation: dict[int, list[Person]] = defaultdict(list)
        for person in sorted(people.values(), key=lambda p: p.id):
            by_organisation[person.organisation_id].append(person)
        organisations = {
            row.id: (row.name, row.kind, row.email)
            for row in session.execute(
                select(Organisation.id, Organisation.name, Organisation.kind, Organisation.email)
            )
        }
        districts = {
            row.id: (row.name, row.lead_council_id, row.spoc_email)
            for row in session.execute(
                select(District.id, District.name, District.lead_council_id, District.spoc_email)
            )
        }
        return cls(
            people,
            by_organisation,
            {p.email.lower(): p for p in people.values()},
            organisations,
            districts,
        )

    def organisation_name(self, organisation_id: int | None) -> str:
        if organisation_id is None or organisation_id not in self.organisations:
            return "an organisation"
        return self.organisations[organisation_id][0]

    def _mailbox(self, organisation_id: int | None) -> list[Recipient]:
        if organisation_id is None or organisation_id not in self.organisations:
            return []
        email = self.organisations[organisation_id][2]
        return [self.address(email, organisation_id)] if email else []

    def address(self, email: str, organisation_id: int | None) -> Recipient:
        person = self.by_email.get(email.strip().lower())
        if person is not None:
            return Recipient(person.email, person.organisation_id, person)
        return Recipient(email.strip(), organisation_id)

    def _with_role(self, organisation_id: int | None, roles: Iterable[str]) -> list[Recipient]:
        if organisation_id is None:
            return []
        wanted = set(roles)
        return [
            Recipient(p.email, p.organisation_id, p)
            for p in self.by_organisation.get(organisation_id, [])
            if p.roles & wanted
        ]

    def managers(self, organisation_id: int | None) -> list[Recipient]:
        """The organisation's managers, or its shared mailbox when it has none."""
        return self._with_role(organisation_id, {"manager"}) or self._mailbox(organisation_id)

    def officers(self, organisation_id: int) -> list[Recipient]:
        """Who may claim the organisation's tasks: its officers, else its managers."""
        return self._with_role(organisation_id, OFFICER_ROLES) or self.managers(organisation_id)

    def _person(self, user_id: int | None) -> list[Recipient]:
        person = self.people.get(user_id) if user_id else None
        return [Recipient(person.email, person.organisation_id, person)] if person else []

    def can_work(self, user_id: int | None) -> bool:
        """Whether the person can still sign in and open cases, and so do a task."""
        person = self.people.get(user_id) if user_id else None
        return person is not None and bool(person.roles & CASE_ROLES)

    def holders(self, task: ChasedTask) -> list[Recipient]:
        """Whoever holds the task, or while no one does, the officers of its organisations
        (or the one person through whom an organisation plays the lane, a review chair).

        A chair who can no longer sign in or open cases cannot do the task, and no one else
        may: the managers of the council managing the review hear instead, as they can give
        the review another chair. Anyone else who holds a task but can no longer do it keeps
        it from their colleagues, who cannot claim it: their organisation's managers hear, as
        they can give it to someone else."""
        if self.can_work(task.assignee_id):
            return self._person(task.assignee_id)
        stranded = task.assignee_id is not None
        return [
            r
            for org in task.organisation_ids
            for r in (
                (
                    self._person(task.persons[org])
                    if self.can_work(task.persons[org])
                    else self.managers(self.managing_council(task))
                )
                if org in task.persons
                else self.managers(org)
                if stranded
                else self.officers(org)
            )
        ]

    def _district(self, task: ChasedTask) -> tuple[str, int | None, str]:
        return self.districts.get(task.district_id, ("", None, ""))

    def managing_council(self, task: ChasedTask) -> int | None:
        """The council managing the task's review: the council taking part in its case (its
        district's lead council when the case began), whose managers may change its chair."""
        return task.council_id if task.council_id is not None else self._district(task)[1]

    def for_whom(self, task: ChasedTask) -> str:
        """The organisations the task is for, and the person where one person alone plays the
        lane for their organisation."""
        names = []
        for org in task.organisation_ids:
            person = self.people.get(task.persons.get(org, 0))
            organisation = self.organisation_name(org)
            names.append(f"{person.name} of {organisation}" if person else organisation)
        return ", ".join(names)

    def resolve(self, names: Iterable[str], task: ChasedTask) -> list[Recipient]:
        _name, lead_council_id, spoc_email = self._district(task)
        found: list[Recipient] = []
        for name in names:
            if "@" in name:
                found.append(self.address(name, None))
            elif name == "assignee":
                found += self.holders(task)
            elif name == "organisation_managers":
                # A review chair's organisation takes no part in the case: the council that
                # manages the review hears when the chair's task is late.
                found += [
                    r
                    for org in task.organisation_ids
                    for r in self.managers(
                        self.managing_council(task) if org in task.persons else org
                    )
                ]
            elif name == "lead_council_managers":
                found += self.managers(lead_council_id)
            elif name == "district_spoc" and spoc_email:
                found.append(self.address(spoc_email, lead_council_id))
            elif name == "opcc_managers":
                found += [
                    r
                    for org, (_name, kind, _email) in sorted(self.organisations.items())
                    if kind == "opcc"
                    for r in self.managers(org)
                ]
        unique: dict[str, Recipient] = {}
        for recipient in found:
            unique.setdefault(recipient.email.lower(), recipient)
        return list(unique.values())
