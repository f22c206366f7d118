"""A subject access export: everything the service holds about one named person, with other
people's details taken out.

A person is found by name (and optionally email address) as an applicant, as the victim an
application was made for, or as a user of the service. For each of their cases the export
holds their own details, the case's facts, the incidents, the answers recorded on its tasks,
reviews, appeals, the letters written to them (as the Word files sent) and the messages sent
to their address; the other party's name and contact details are replaced wherever they
appear. Free text written by applicants and officers can name people the service does not
know as people (a neighbour, say), so the export says that it must be read before release.
Every export is written to the audit trail, as a disclosure on each case it draws from.

- ``redaction``: who is the person asked about, and taking the others' details out.
- ``cases``: what the export holds about one of their cases.
- ``export``: the whole export, its audit, and the zip handed over.
"""

from engine.records.subject_access.export import (
    READ_BEFORE_RELEASE,
    SubjectAccess,
    subject_access_export,
)
from engine.records.subject_access.redaction import REDACTED

__all__ = ["READ_BEFORE_RELEASE", "REDACTED", "SubjectAccess", "subject_access_export"]
