"""links between records and projects: a practice's contacts (each with its part) replace its one contact_id,
practices and training materials name each other, projects (a fourth record type) name both and carry files

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
import uuid

from alembic import op
import sqlalchemy as sa
import atn_hub.db
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
FILE_COLUMNS = ('id', 'material_id', 'practice_id', 'filename', 'content_type', 'size', 'sha256', 'page_count',
                'language', 'text_status', 'text_error', 'pending_change', 'uploaded_by_user_id', 'uploaded_by_name',
                'created_at', 'claimed_at', 'extracted_at')
ONE_OWNER_2 = '(material_id IS NULL) <> (practice_id IS NULL)'
ONE_OWNER_3 = ('(CASE WHEN material_id IS NULL THEN 0 ELSE 1 END + CASE WHEN practice_id IS NULL THEN 0 ELSE 1 END'
               ' + CASE WHEN project_id IS NULL THEN 0 ELSE 1 END) = 1')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _add_list(table: str, column: str) -> None:
    # In place, NOT NULL with a default that fills the rows there are (see 0009: a batch would rebuild the table).
    op.add_column(table, sa.Column(column, JSON, nullable=False, server_default=sa.text("'[]'")))
    if not _sqlite():
        op.alter_column(table, column, server_default=None)  # the application writes it


def _keeping_files(changes) -> None:
    """Run changes that rebuild ``practice`` or ``material_file`` on SQLite (a batch copies the table into a new
    one and drops the old): the drop applies the ON DELETE CASCADE of the tables that refer to it, which would
    delete every practice's files and every extracted page. Both are kept aside and put back."""
    sqlite = _sqlite()
    if sqlite:
        op.execute('CREATE TABLE _material_file_kept AS SELECT * FROM material_file')
        op.execute('CREATE TABLE _file_page_kept AS SELECT * FROM file_page')
    changes()
    if sqlite:
        columns = ', '.join(FILE_COLUMNS)
        op.execute(f'INSERT OR IGNORE INTO material_file ({columns}) SELECT {columns} FROM _material_file_kept '
                   f'WHERE material_id IN (SELECT id FROM training_material) OR practice_id IN (SELECT id FROM practice)')
        op.execute('INSERT OR IGNORE INTO file_page SELECT * FROM _file_page_kept '
                   'WHERE file_id IN (SELECT id FROM material_file)')
        op.execute('DROP TABLE _material_file_kept')
        op.execute('DROP TABLE _file_page_kept')


def upgrade() -> None:
    _add_list('practice', 'contacts')
    _add_list('practice', 'training_materials')
    _add_list('training_material', 'practices')
    practice = sa.table('practice', sa.column('id', sa.Uuid()), sa.column('contact_id', sa.Uuid()),
                        sa.column('contacts', JSON))
    connection = op.get_bind()
    for practice_id, contact_id in connection.execute(
            sa.select(practice.c.id, practice.c.contact_id).where(practice.c.contact_id.is_not(None))).all():
        connection.execute(practice.update().where(practice.c.id == practice_id)
                           .values(contacts=[{'id': str(contact_id), 'role': None}]))

    op.create_table('project',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('acronym', sa.String(length=50), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('countries', JSON, nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('funders', JSON, nullable=False),
    sa.Column('partners', JSON, nullable=False),
    sa.Column('societies', JSON, nullable=False),
    sa.Column('web_address', sa.String(length=2000), nullable=True),
    sa.Column('practices', JSON, nullable=False),
    sa.Column('training_materials', JSON, nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('published_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('topics', JSON, nullable=False),
    sa.Column('translations', JSON, nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_project_society_id_society'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('society_id', 'external_id', name=op.f('uq_project_society_id_external_id'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_language'), ['language'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_society_id'), ['society_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_updated_at'), ['updated_at'], unique=False)

    def changes():
        with op.batch_alter_table('practice', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_practice_contact_id_contact'), type_='foreignkey')
            batch_op.drop_column('contact_id')
        with op.batch_alter_table('material_file', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_material_file_one_record'), type_='check')
            batch_op.add_column(sa.Column('project_id', sa.Uuid(), nullable=True))
            batch_op.create_index(batch_op.f('ix_material_file_project_id'), ['project_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_material_file_project_id_project'), 'project',
                                        ['project_id'], ['id'], ondelete='CASCADE')
            batch_op.create_check_constraint('one_record', ONE_OWNER_3)
    _keeping_files(changes)


def downgrade() -> None:
    op.execute('DELETE FROM material_file WHERE project_id IS NOT NULL')  # a project's files have no place

    def changes():
        with op.batch_alter_table('material_file', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_material_file_one_record'), type_='check')
            batch_op.drop_constraint(batch_op.f('fk_material_file_project_id_project'), type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_material_file_project_id'))
            batch_op.drop_column('project_id')
            batch_op.create_check_constraint('one_record', ONE_OWNER_2)
        with op.batch_alter_table('practice', schema=None) as batch_op:
            batch_op.add_column(sa.Column('contact_id', sa.Uuid(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_practice_contact_id_contact'), 'contact', ['contact_id'],
                                        ['id'], ondelete='SET NULL')
    _keeping_files(changes)
    # A practice keeps its first contact (the one it could name before); links to materials are dropped.
    practice = sa.table('practice', sa.column('id', sa.Uuid()), sa.column('contact_id', sa.Uuid()),
                        sa.column('contacts', JSON))
    connection = op.get_bind()
    for practice_id, contacts in connection.execute(sa.select(practice.c.id, practice.c.contacts)).all():
        if contacts:
            connection.execute(practice.update().where(practice.c.id == practice_id)
                               .values(contact_id=uuid.UUID(contacts[0]['id'])))
    # Plain JSON columns with no key or index: dropped in place on both databases (SQLite 3.35+), no rebuild.
    op.drop_column('practice', 'contacts')
    op.drop_column('practice', 'training_materials')
    op.drop_column('training_material', 'practices')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_updated_at'))
        batch_op.drop_index(batch_op.f('ix_project_status'))
        batch_op.drop_index(batch_op.f('ix_project_society_id'))
        batch_op.drop_index(batch_op.f('ix_project_language'))
    op.drop_table('project')

