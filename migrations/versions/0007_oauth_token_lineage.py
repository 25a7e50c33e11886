"""oauth token lineage: personal tokens remember the grant that made them; redeemed codes are kept

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
import time

from alembic import op
import sqlalchemy as sa
import atn_hub.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Personal tokens always expire now: one made without an end ends this many days after the upgrade.
NEVER_EXPIRING_GRACE_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_family_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_oauth_token_parent_family_id'), ['parent_family_id'], unique=False)
    with op.batch_alter_table('oauth_authorization_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_at', atn_hub.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('token_family_id', sa.Uuid(), nullable=True))
    ends = int(time.time()) + NEVER_EXPIRING_GRACE_DAYS * 86400
    op.execute(sa.text("UPDATE oauth_token SET expires_in = :ends - issued_at "
                       "WHERE kind = 'personal' AND expires_in IS NULL").bindparams(ends=ends))


def downgrade() -> None:
    with op.batch_alter_table('oauth_authorization_code', schema=None) as batch_op:
        batch_op.drop_column('token_family_id')
        batch_op.drop_column('used_at')
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_token_parent_family_id'))
        batch_op.drop_column('parent_family_id')
