"""The council assesses the risk to the victim and their vulnerability after screening

The level (standard, medium or high) is kept on the case in `cases.risk_level`, and the
answers, with who assessed it and when, in `cases.risk`. A case already there was not
assessed: it holds neither. The columns are added in place, so the SQLite search triggers on
`cases` are kept.

Revision ID: 0032
Revises: 0031
Create Date: 2027-01-22 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


RISK_LEVELS = "risk_level IN ('standard','medium','high')"


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # Added with ALTER TABLE, not a batch copy of the table, which would drop the triggers
        # that keep the cases' search index in step; SQLite takes the constraint inline.
        op.execute(
            "ALTER TABLE cases ADD COLUMN risk_level VARCHAR(20) "
            f"CONSTRAINT ck_cases_risk_level CHECK ({RISK_LEVELS})"
        )
    else:
        op.add_column('cases', sa.Column('risk_level', sa.String(length=20), nullable=True))
        op.create_check_constraint(op.f('ck_cases_risk_level'), 'cases', RISK_LEVELS)
    op.add_column('cases', sa.Column('risk', sa.JSON(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_cases_risk_level'), 'cases', type_='check')
    # Dropped in place (SQLite 3.35 and later can, once nothing names them), keeping the
    # triggers.
    op.drop_column('cases', 'risk')
    op.drop_column('cases', 'risk_level')
