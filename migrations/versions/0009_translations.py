"""translations of every record type: contacts and training materials get theirs; each translation records its
origin (author or machine) and who changed it when (unknown for those written before: null)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
STAMPS = ('origin', 'updated_by', 'updated_at')


def _practices():
    return sa.table('practice', sa.column('id', sa.Uuid()), sa.column('translations', JSON))


def upgrade() -> None:
    for table in ('contact', 'training_material'):
        # Added in place, NOT NULL with a default that fills the rows there are. Not through a batch (which on
        # SQLite copies the table into a new one and drops the old: the drop would apply the ON DELETE rules of
        # the tables that refer to it, deleting a material's files and unlinking a practice's contact).
        op.add_column(table, sa.Column('translations', JSON, nullable=False, server_default=sa.text("'{}'")))
        if op.get_bind().dialect.name != 'sqlite':
            op.alter_column(table, 'translations', server_default=None)  # the application writes it
    # The practices' translations so far were their authors' own; who wrote them when is not known.
    practice = _practices()
    connection = op.get_bind()
    for practice_id, translations in connection.execute(sa.select(practice.c.id, practice.c.translations)).all():
        if not translations:
            continue
        stamped = {code: {**value, 'origin': value.get('origin') or 'author', 'updated_by': value.get('updated_by'),
                          'updated_at': value.get('updated_at')}
                   for code, value in translations.items() if isinstance(value, dict)}
        if stamped != translations:
            connection.execute(practice.update().where(practice.c.id == practice_id).values(translations=stamped))


def downgrade() -> None:
    # Practices keep the text of their translations (title, summary, and the fields added since); the
    # bookkeeping goes with the version that introduced it.
    practice = _practices()
    connection = op.get_bind()
    for practice_id, translations in connection.execute(sa.select(practice.c.id, practice.c.translations)).all():
        if not translations:
            continue
        plain = {code: {k: v for k, v in value.items() if k not in STAMPS}
                 for code, value in translations.items() if isinstance(value, dict)}
        if plain != translations:
            connection.execute(practice.update().where(practice.c.id == practice_id).values(translations=plain))
    for table in ('training_material', 'contact'):
        op.drop_column(table, 'translations')  # in place (SQLite 3.35+), for the reason given above
