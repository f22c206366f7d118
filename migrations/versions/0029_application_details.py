"""An application says where the behaviour happens, who is believed responsible, who saw it,
what the applicant wants to happen, their communication needs and the format of their letters

They are kept together on the case, in `cases.details`, as the applicant's own details are.
A case already there was made before the application asked for them: it holds none, and its
words for the search (`cases.search_text`) stay as they are. The column is added in place, so
the SQLite search triggers on `cases` are kept.

Revision ID: 0029
Revises: 0028
Create Date: 2027-01-20 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added with ALTER TABLE (SQLite can add a column so), not a batch copy of the table,
    # which would drop the triggers that keep the search index in step.
    op.add_column('cases', sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    # Dropped in place too (SQLite 3.35 and later can), keeping the triggers.
    op.drop_column('cases', 'details')
