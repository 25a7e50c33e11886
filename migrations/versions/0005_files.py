"""files

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import atn_hub.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('material_file',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('material_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('text_status', sa.String(length=16), nullable=False),
    sa.Column('text_error', sa.String(length=500), nullable=True),
    sa.Column('uploaded_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_by_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', atn_hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('extracted_at', atn_hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['material_id'], ['training_material.id'], name=op.f('fk_material_file_material_id_training_material'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_file'))
    )
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_file_material_id'), ['material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_file_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_file_text_status'), ['text_status'], unique=False)

    op.create_table('file_page',
    sa.Column('file_id', sa.Uuid(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['material_file.id'], name=op.f('fk_file_page_file_id_material_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'page', name=op.f('pk_file_page'))
    )


def downgrade() -> None:
    op.drop_table('file_page')
    with op.batch_alter_table('material_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_file_text_status'))
        batch_op.drop_index(batch_op.f('ix_material_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_material_file_material_id'))

    op.drop_table('material_file')
