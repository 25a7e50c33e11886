"""revisions and submissions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import atn_hub.db
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'change_log is append-only: rows cannot be deleted';
    END IF;
    IF (NEW.seq, NEW.at, NEW.actor_user_id, NEW.actor_client_id, NEW.society_id, NEW.record_type,
        NEW.record_id, NEW.action) IS DISTINCT FROM
       (OLD.seq, OLD.at, OLD.actor_user_id, OLD.actor_client_id, OLD.society_id, OLD.record_type,
        OLD.record_id, OLD.action) THEN
        RAISE EXCEPTION 'change_log is append-only: only erasure may scrub a payload';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
"""


def upgrade() -> None:
    # The audit trail is the change log: on PostgreSQL the database itself refuses to delete or rewrite it
    # (erasure may only scrub personal data out of payloads).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    op.create_table('pending_revision',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Uuid(), nullable=True),
    sa.Column('author_client_id', sa.String(length=64), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_revision')),
    sa.UniqueConstraint('record_type', 'record_id', name=op.f('uq_pending_revision_record_type_record_id'))
    )
    with op.batch_alter_table('pending_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_revision_updated_at'), ['updated_at'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=False),
    sa.Column('submitted_at', atn_hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_by_client_id', sa.String(length=64), nullable=True),
    sa.Column('submitted_by_name', sa.String(length=200), nullable=True),
    sa.Column('assignee_user_id', sa.Uuid(), nullable=True),
    sa.Column('assigned_at', atn_hub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_user_id'], ['user_account.id'], name=op.f('fk_submission_assignee_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_submission_society_id_society'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('record_type', 'record_id', name=op.f('uq_submission_record_type_record_id'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_society_id'), ['society_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_updated_at'), ['updated_at'], unique=False)



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS change_log_append_only ON change_log")
        op.execute("DROP FUNCTION IF EXISTS change_log_append_only()")
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_updated_at'))
        batch_op.drop_index(batch_op.f('ix_submission_society_id'))

    op.drop_table('submission')
    with op.batch_alter_table('pending_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_revision_updated_at'))

    op.drop_table('pending_revision')
