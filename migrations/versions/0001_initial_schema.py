"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import atn_hub.db
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_log',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('actor_user_id', sa.Uuid(), nullable=True),
    sa.Column('actor_client_id', sa.String(length=64), nullable=True),
    sa.Column('society_id', sa.Uuid(), nullable=True),
    sa.Column('record_type', sa.String(length=32), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_record', ['record_type', 'record_id'], unique=False)

    op.create_table('society',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_local', sa.String(length=200), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_society')),
    sa.UniqueConstraint('code', name=op.f('uq_society_code'))
    )
    with op.batch_alter_table('society', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_society_updated_at'), ['updated_at'], unique=False)

    op.create_table('topic',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('labels', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_topic'))
    )
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_topic_updated_at'), ['updated_at'], unique=False)

    op.create_table('contact',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('consent_recorded_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('review_due_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('published_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('topics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_contact_society_id_society'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact')),
    sa.UniqueConstraint('society_id', 'external_id', name=op.f('uq_contact_society_id_external_id'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_society_id'), ['society_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_updated_at'), ['updated_at'], unique=False)

    op.create_table('oauth_client',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('client_secret_hash', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=True),
    sa.Column('grant_types', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('redirect_uris', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('token_endpoint_auth_method', sa.String(length=32), nullable=False),
    sa.Column('can_introspect', sa.Boolean(), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_oauth_client_society_id_society'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_client')),
    sa.UniqueConstraint('client_id', name=op.f('uq_oauth_client_client_id'))
    )
    op.create_table('training_material',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('audience', sa.String(length=300), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('external_url', sa.String(length=2000), nullable=True),
    sa.Column('licence', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('published_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('topics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_training_material_society_id_society'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_material')),
    sa.UniqueConstraint('society_id', 'external_id', name=op.f('uq_training_material_society_id_external_id'))
    )
    with op.batch_alter_table('training_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_material_society_id'), ['society_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_material_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_material_updated_at'), ['updated_at'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_user_account_society_id_society'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_updated_at'), ['updated_at'], unique=False)

    op.create_table('oauth_authorization_code',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('redirect_uri', sa.Text(), nullable=False),
    sa.Column('response_type', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('nonce', sa.Text(), nullable=True),
    sa.Column('code_challenge', sa.Text(), nullable=True),
    sa.Column('code_challenge_method', sa.String(length=16), nullable=True),
    sa.Column('auth_time', sa.Integer(), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oauth_authorization_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_authorization_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_oauth_authorization_code_code_hash'))
    )
    op.create_table('oauth_token',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('refresh_token_hash', sa.String(length=64), nullable=True),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.Integer(), nullable=False),
    sa.Column('expires_in', sa.Integer(), nullable=True),
    sa.Column('refresh_expires_at', sa.Integer(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('refresh_used', sa.Boolean(), nullable=False),
    sa.Column('last_used_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oauth_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_token')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_oauth_token_access_token_hash')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_oauth_token_refresh_token_hash'))
    )
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_token_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_token_user_id'), ['user_id'], unique=False)

    op.create_table('practice',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('translations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('countries', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('target_groups', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('forms_of_exploitation', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('areas', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('services', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('results', sa.String(), nullable=True),
    sa.Column('evaluation', sa.String(), nullable=True),
    sa.Column('start_year', sa.Integer(), nullable=True),
    sa.Column('end_year', sa.Integer(), nullable=True),
    sa.Column('links', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('published_at', atn_hub.db.UTCDateTime(), nullable=True),
    sa.Column('topics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('society_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', atn_hub.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_practice_contact_id_contact'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['society_id'], ['society.id'], name=op.f('fk_practice_society_id_society'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice')),
    sa.UniqueConstraint('society_id', 'external_id', name=op.f('uq_practice_society_id_external_id'))
    )
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_language'), ['language'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_society_id'), ['society_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_updated_at'), ['updated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_updated_at'))
        batch_op.drop_index(batch_op.f('ix_practice_status'))
        batch_op.drop_index(batch_op.f('ix_practice_society_id'))
        batch_op.drop_index(batch_op.f('ix_practice_language'))

    op.drop_table('practice')
    with op.batch_alter_table('oauth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_family_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_token_client_id'))

    op.drop_table('oauth_token')
    op.drop_table('oauth_authorization_code')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_updated_at'))

    op.drop_table('user_account')
    with op.batch_alter_table('training_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_material_updated_at'))
        batch_op.drop_index(batch_op.f('ix_training_material_status'))
        batch_op.drop_index(batch_op.f('ix_training_material_society_id'))

    op.drop_table('training_material')
    op.drop_table('oauth_client')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_updated_at'))
        batch_op.drop_index(batch_op.f('ix_contact_status'))
        batch_op.drop_index(batch_op.f('ix_contact_society_id'))
        batch_op.drop_index(batch_op.f('ix_contact_country'))

    op.drop_table('contact')
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_updated_at'))
        batch_op.drop_index(batch_op.f('ix_topic_category'))

    op.drop_table('topic')
    with op.batch_alter_table('society', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_society_updated_at'))

    op.drop_table('society')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_record')

    op.drop_table('change_log')
