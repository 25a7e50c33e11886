"""change log: an index by action covering what the statistics read (submissions, review times)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_change_log_action', 'change_log',
                    ['action', 'record_type', 'record_id', 'seq', 'at', 'society_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_change_log_action', table_name='change_log')
