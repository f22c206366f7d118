"""Schema for chasing late work beyond 0004, if the escalation sweeps need any

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
