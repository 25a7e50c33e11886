"""pending files: a file added to or removed from a published material is part of its pending revision;
stored names end with the extension of their detected type

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

from atn_hub.files.content import safe_filename


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

files = sa.table('material_file', sa.column('id', sa.Uuid()), sa.column('filename', sa.String(255)),
                 sa.column('content_type', sa.String(128)), sa.column('pending_change', sa.String(16)))


def upgrade() -> None:
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_change', sa.String(length=16), nullable=True))
    # Names kept before the rule (brochure.pdf.hta) are served under their type's extension from now on.
    connection = op.get_bind()
    for file_id, filename, content_type in connection.execute(
            sa.select(files.c.id, files.c.filename, files.c.content_type)).all():
        served = safe_filename(filename, content_type)
        if served != filename:
            connection.execute(files.update().where(files.c.id == file_id).values(filename=served))


def downgrade() -> None:
    # Without the column a file awaiting review would be served to everyone: files never approved go.
    op.execute(files.delete().where(files.c.pending_change == 'added'))
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        batch_op.drop_column('pending_change')
