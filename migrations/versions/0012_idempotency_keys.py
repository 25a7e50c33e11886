"""idempotency keys: the first response to each caller's POST sent with an Idempotency-Key, replayed to its
retries for ATN_IDEMPOTENCY_HOURS

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import atn_hub.db
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('caller', sa.String(length=80), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('caller', 'key', name=op.f('pk_idempotency_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))
    op.drop_table('idempotency_key')
