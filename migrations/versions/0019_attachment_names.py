"""Supporting files already kept are named as what they hold

A file was checked by its content but kept under the name it came with, so a PDF named
invoice.hta was downloaded by other agencies as invoice.hta. New files are kept under a name
ending as their type does; the files already kept are renamed the same way: a name ending as
another type, or as a type never accepted, takes its type's ending (invoice.hta becomes
invoice.pdf), and a name with no ending gains it. Going back leaves the names as they are.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 02:30:00
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# As the service names them on upload (engine/records/file_types.py), copied here because a
# migration must keep doing what it did when the service's code moves on.
ENDINGS = {
    'application/pdf': ('pdf',),
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ('docx',),
    'application/msword': ('doc',),
    'application/vnd.ms-outlook': ('msg',),
    'message/rfc822': ('eml',),
    'image/png': ('png',),
    'image/jpeg': ('jpg', 'jpeg'),
    'image/gif': ('gif',),
    'image/webp': ('webp',),
    'image/tiff': ('tif', 'tiff'),
}
ENDING = re.compile(r"\.([0-9]*[A-Za-z][A-Za-z0-9]*)$")

attachments = sa.table(
    'attachments',
    sa.column('id', sa.Integer),
    sa.column('filename', sa.String),
    sa.column('media_type', sa.String),
)


def named_as_held(filename: str, media_type: str) -> str:
    endings = ENDINGS.get(media_type)
    if endings is None:
        return filename
    name = filename.rstrip('. ') or 'attachment'
    ending = ENDING.search(name)
    if ending is None:
        return f"{name[:250]}.{endings[0]}"
    if ending.group(1).lower() in endings:
        return name
    return f"{name[: ending.start()][:250]}.{endings[0]}"


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(attachments.c.id, attachments.c.filename, attachments.c.media_type)
    ).all()
    for id_, filename, media_type in rows:
        renamed = named_as_held(filename, media_type)
        if renamed != filename:
            connection.execute(
                attachments.update().where(attachments.c.id == id_).values(filename=renamed)
            )


def downgrade() -> None:
    pass
