"""stats snapshots: the statistics' figures per visibility class and filters, counted by the delivery pass
rather than by a request

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import atn_hub.db
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stats_snapshot',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('request', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('filtered', sa.Boolean(), nullable=False),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('through_seq', sa.BigInteger(), nullable=False),
    sa.Column('counted_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('requested_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stats_snapshot'))
    )
    with op.batch_alter_table('stats_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_snapshot_requested_at'), ['requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stats_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_snapshot_requested_at'))
    op.drop_table('stats_snapshot')
