"""The stored shape of the service. Every change here comes with an Alembic migration.

The tables are declared by subject, all on one declarative base; import them from here:

- ``base``: the declarative base, and what every table shares (row ids, the tables a library
  owns in the same database);
- ``area``: the area's settings, its organisations and districts;
- ``people``: users and their roles, API tokens, the throttle on failed sign-ins;
- ``applicants``: the one-time codes that let an applicant into their own case, and the
  check-ins after it closes;
- ``cases``: cases, their incidents, the history of their status and who takes part;
- ``case_search``: each database's text search over the words a case is found by;
- ``processes``: deployed diagrams, running instances, their tasks and who may do them;
- ``information``: other public bodies the council may ask for information, and its requests;
- ``reviews``: reviews, the applicant's part in them, their recommendations, and appeals;
- ``records``: the audit trail, notifications, the scheduler's lease, attachments and
  generated documents.
"""

from engine.core.models.applicants import ApplicantCode, ApplicantToken, CheckIn
from engine.core.models.area import (
    ORGANISATION_KINDS,
    Area,
    District,
    DistrictYearNote,
    Organisation,
    OrganisationDistrict,
)
from engine.core.models.base import APSCHEDULER_JOBS_TABLE, MAX_ROW_ID, UNMANAGED_TABLES, Base
from engine.core.models.case_search import SEARCH_INDEXES, SEARCH_TABLES, matching_words
from engine.core.models.cases import (
    APPLYING_AS,
    CASE_STATUSES,
    DECISION_BASES,
    PARTICIPANT_ROLES,
    RISK_LEVELS,
    Case,
    CaseParticipant,
    CaseStatusChange,
    Incident,
)
from engine.core.models.information import (
    PUBLIC_BODY_SOURCES,
    InformationRequest,
    PublicBody,
)
from engine.core.models.people import (
    NEW_WORK_EMAILS,
    ROLES,
    ApiToken,
    PasswordReset,
    SignInThrottle,
    User,
    UserRole,
)
from engine.core.models.processes import (
    ASSIGNMENT_REASONS,
    LIVE_TASK_STATES,
    LIVE_TASKS_SQL,
    TASK_STATES,
    ProcessDefinition,
    ProcessInstance,
    StepDuration,
    Task,
    TaskCandidate,
)
from engine.core.models.records import (
    AUDIT_APPEND_ONLY_DDL,
    NOTIFICATION_STATES,
    Attachment,
    AuditEvent,
    Document,
    Lease,
    LetterTemplate,
    Notification,
)
from engine.core.models.reviews import (
    MEETING_PARTS,
    PART_CHOICES,
    Appeal,
    ChairDeclaration,
    MeetingPart,
    Recommendation,
    Review,
)

__all__ = [
    "ASSIGNMENT_REASONS",
    "ApplicantCode",
    "ApplicantToken",
    "APSCHEDULER_JOBS_TABLE",
    "AUDIT_APPEND_ONLY_DDL",
    "CASE_STATUSES",
    "ChairDeclaration",
    "DECISION_BASES",
    "APPLYING_AS",
    "RISK_LEVELS",
    "LIVE_TASKS_SQL",
    "MEETING_PARTS",
    "PART_CHOICES",
    "LIVE_TASK_STATES",
    "MAX_ROW_ID",
    "NEW_WORK_EMAILS",
    "NOTIFICATION_STATES",
    "ORGANISATION_KINDS",
    "PARTICIPANT_ROLES",
    "PUBLIC_BODY_SOURCES",
    "ROLES",
    "SEARCH_INDEXES",
    "SEARCH_TABLES",
    "TASK_STATES",
    "UNMANAGED_TABLES",
    "ApiToken",
    "PasswordReset",
    "CheckIn",
    "Appeal",
    "Area",
    "Attachment",
    "AuditEvent",
    "Base",
    "Case",
    "CaseParticipant",
    "CaseStatusChange",
    "District",
    "DistrictYearNote",
    "Document",
    "Incident",
    "InformationRequest",
    "Lease",
    "LetterTemplate",
    "Notification",
    "Organisation",
    "OrganisationDistrict",
    "ProcessDefinition",
    "ProcessInstance",
    "PublicBody",
    "MeetingPart",
    "Recommendation",
    "Review",
    "SignInThrottle",
    "StepDuration",
    "Task",
    "TaskCandidate",
    "User",
    "UserRole",
    "matching_words",
]
