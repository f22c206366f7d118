"""Indexes the oversight figures are counted from

The OPCC's oversight view counts applications, threshold decisions and the time each step
took across every case: these indexes hold the columns it reads, so that its queries read the
indexes rather than every case's, task's, review's and recommendation's row.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 17:15:00
"""
from alembic import op


revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

INDEXES = (
    (
        'ix_cases_oversight',
        'cases',
        ['received_on', 'decided_on', 'risk_level', 'district_id', 'threshold_met',
         'decision_basis'],
    ),
    (
        'ix_cases_district_decided',
        'cases',
        ['district_id', 'decided_on', 'threshold_met', 'decision_basis'],
    ),
    ('ix_tasks_form_state_case', 'tasks', ['form', 'state', 'case_id', 'completed_at']),
    (
        'ix_reviews_case_number_dates',
        'reviews',
        ['case_id', 'number', 'held_on', 'outcome_letter_sent_on', 'applicant_took_part'],
    ),
    (
        'ix_recommendations_review_dates',
        'recommendations',
        ['review_id', 'due_date', 'completed_on', 'status'],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
