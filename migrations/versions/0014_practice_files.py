"""files on practices: a file belongs to a training material (material_id) or to a practice (practice_id)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _rebuilt(change) -> None:
    """Run a change of material_file. SQLite cannot make a column nullable in place: the batch copies the table
    into a new one and drops the old, and the drop applies file_page's ON DELETE CASCADE (every extracted page
    would go). The pages are kept aside and put back."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('CREATE TABLE _file_page_kept AS SELECT * FROM file_page')
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        op.execute('INSERT OR IGNORE INTO file_page SELECT * FROM _file_page_kept '
                   'WHERE file_id IN (SELECT id FROM material_file)')
        op.execute('DROP TABLE _file_page_kept')


def upgrade() -> None:
    def change(batch_op):
        batch_op.add_column(sa.Column('practice_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('material_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(batch_op.f('ix_material_file_practice_id'), ['practice_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_material_file_practice_id_practice'), 'practice',
                                    ['practice_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('one_record', '(material_id IS NULL) <> (practice_id IS NULL)')
    _rebuilt(change)


def downgrade() -> None:
    op.execute('DELETE FROM material_file WHERE practice_id IS NOT NULL')  # a practice's files have no place

    def change(batch_op):
        batch_op.drop_constraint(batch_op.f('ck_material_file_one_record'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_material_file_practice_id_practice'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_material_file_practice_id'))
        batch_op.alter_column('material_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('practice_id')
    _rebuilt(change)
