"""review comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import atn_hub.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_comment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('author_user_id', sa.Uuid(), nullable=True),
    sa.Column('author_client_id', sa.String(length=64), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comment'))
    )
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.create_index('ix_review_comment_record', ['record_type', 'record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_review_comment_record')

    op.drop_table('review_comment')
