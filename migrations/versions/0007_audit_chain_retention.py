"""The audit trail becomes a hash chain the database will not let anyone rewrite; cases record
when their personal data was erased

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 12:00:00

The events written before this revision are chained here, in the order they were written, so
`casereview audit verify` checks the whole trail from its first event.
"""
import hashlib
import json
from datetime import UTC

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION USING MESSAGE = 'the audit trail is append-only: ' || TG_OP "
    "|| ' refused'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN "
    "SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END",
]

audit_events = sa.table(
    'audit_events',
    sa.column('id', sa.Integer()),
    sa.column('at', sa.DateTime()),
    sa.column('user_id', sa.Integer()),
    sa.column('organisation_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('case_id', sa.Integer()),
    sa.column('object_type', sa.String()),
    sa.column('object_id', sa.String()),
    sa.column('detail', sa.JSON()),
    sa.column('seq', sa.BigInteger()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)


def _hash(row, seq: int, prev_hash: str) -> str:
    # The canonical content of engine.core.audit.canonical_content, form 1.
    at = row.at.astimezone(UTC).replace(tzinfo=None) if row.at.tzinfo else row.at
    content = json.dumps(
        [
            1, seq, prev_hash, at.isoformat(timespec="microseconds"), row.user_id,
            row.organisation_id, row.action, row.case_id, row.object_type, row.object_id,
            row.detail or {},
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_on', sa.Date(), nullable=True))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    connection = op.get_bind()
    prev_hash, seq = GENESIS_HASH, 0
    rows = connection.execute(sa.select(audit_events).order_by(audit_events.c.id)).all()
    for row in rows:
        seq += 1
        row_hash = _hash(row, seq, prev_hash)
        connection.execute(
            audit_events.update()
            .where(audit_events.c.id == row.id)
            .values(seq=seq, prev_hash=prev_hash, hash=row_hash)
        )
        prev_hash = row_hash

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_seq'), ['seq'])

    triggers = POSTGRES_TRIGGERS if connection.dialect.name == 'postgresql' else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('erased_on')
