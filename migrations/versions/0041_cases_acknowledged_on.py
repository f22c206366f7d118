"""Each case keeps the day its application was acknowledged

The oversight figures time the acknowledgement from receipt. Each case now keeps the day its
acknowledgement was first completed, written with the completion, so that the figures read
it beside the case's other dates instead of looking up every case's tasks. The cases there
before this revision learn it from their completed acknowledgement tasks; the index of the
tasks by form that those look-ups read goes, and the cases' oversight index holds the day
(and the id, which PostgreSQL joins the first reviews by). The threshold decisions are
indexed by day, so each financial year's are counted from its range of days, and the
reviews by the day held, with what the figures read of them.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 19:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

OVERSIGHT_BEFORE = [
    "received_on",
    "decided_on",
    "risk_level",
    "district_id",
    "threshold_met",
    "decision_basis",
]
OVERSIGHT = [
    "received_on",
    "acknowledged_on",
    "risk_level",
    "decided_on",
    "district_id",
    "threshold_met",
    "decision_basis",
    "id",
]
DECIDED = ["decided_on", "threshold_met", "decision_basis", "district_id"]
HELD = ["held_on", "applicant_took_part", "case_id", "id"]
TASKS_BY_FORM = ["form", "state", "case_id", "completed_at"]

# The day in UTC, as the figures counted it from the task: its first completion.
BACKFILL = """
UPDATE cases SET acknowledged_on = (
    SELECT min(date(tasks.completed_at)) FROM tasks
    WHERE tasks.case_id = cases.id
      AND tasks.form = 'acknowledgement' AND tasks.state = 'completed'
)
WHERE EXISTS (
    SELECT 1 FROM tasks
    WHERE tasks.case_id = cases.id
      AND tasks.form = 'acknowledgement' AND tasks.state = 'completed'
)
"""


def upgrade() -> None:
    # Added without rebuilding the table on SQLite: a nullable column needs no copy.
    op.add_column("cases", sa.Column("acknowledged_on", sa.Date(), nullable=True))
    op.execute(BACKFILL)
    op.drop_index("ix_tasks_form_state_case", table_name="tasks")
    op.drop_index("ix_cases_oversight", table_name="cases")
    op.create_index("ix_cases_oversight", "cases", OVERSIGHT)
    op.create_index("ix_cases_decided", "cases", DECIDED)
    op.create_index("ix_reviews_held", "reviews", HELD)


def downgrade() -> None:
    op.drop_index("ix_reviews_held", table_name="reviews")
    op.drop_index("ix_cases_decided", table_name="cases")
    op.drop_index("ix_cases_oversight", table_name="cases")
    # Dropped in place (SQLite 3.35 and later can, once no index names it), keeping the
    # triggers that keep the cases' search index in step.
    op.drop_column("cases", "acknowledged_on")
    op.create_index("ix_cases_oversight", "cases", OVERSIGHT_BEFORE)
    op.create_index("ix_tasks_form_state_case", "tasks", TASKS_BY_FORM)
