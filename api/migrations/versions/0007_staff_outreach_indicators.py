"""staff accounts, sessions, invites, audit log; outreach actions; anonymous visits for the indicators

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'staffuser',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', String(length=254), nullable=False),
        sa.Column('password_hash', sa.Text(), nullable=False),
        sa.Column('role', String(length=16), nullable=False),
        sa.Column('territory_id', String(length=64), nullable=True),
        sa.Column('summaries', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', When(), nullable=True),
        sa.Column('created_at', When(), nullable=False),
        sa.Column('last_login_at', When(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_staffuser_email', 'staffuser', ['email'], unique=True)
    op.create_index('ix_staffuser_territory_id', 'staffuser', ['territory_id'])
    op.create_table(
        'staffsession',
        sa.Column('id', String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf', String(length=64), nullable=False),
        sa.Column('created_at', When(), nullable=False),
        sa.Column('expires_at', When(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_staffsession_user_id', 'staffsession', ['user_id'])
    op.create_index('ix_staffsession_expires_at', 'staffsession', ['expires_at'])
    op.create_table(
        'staffinvite',
        sa.Column('id', String(length=64), nullable=False),
        sa.Column('email', String(length=254), nullable=False),
        sa.Column('role', String(length=16), nullable=False),
        sa.Column('territory_id', String(length=64), nullable=True),
        sa.Column('summaries', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', When(), nullable=False),
        sa.Column('expires_at', When(), nullable=False),
        sa.Column('used_at', When(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_staffinvite_email', 'staffinvite', ['email'])
    op.create_table(
        'auditentry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', When(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('email', String(length=254), nullable=False),
        sa.Column('action', String(length=32), nullable=False),
        sa.Column('territory_id', String(length=64), nullable=True),
        sa.Column('appointment_id', String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_auditentry_at', 'auditentry', ['at'])
    op.create_index('ix_auditentry_user_id', 'auditentry', ['user_id'])
    op.create_index('ix_auditentry_territory_id', 'auditentry', ['territory_id'])
    op.create_table(
        'outreachaction',
        sa.Column('code', String(length=32), nullable=False),
        sa.Column('territory_id', String(length=64), nullable=False),
        sa.Column('place', String(length=200), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', String(length=24), nullable=False),
        sa.Column('hours', String(length=60), nullable=True),
        sa.Column('team', sa.JSON(), nullable=False),
        sa.Column('keyword', String(length=16), nullable=False),
        sa.Column('people_met', sa.Integer(), nullable=True),
        sa.Column('rights_checks_on_site', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', When(), nullable=False),
        sa.PrimaryKeyConstraint('code'))
    op.create_index('ix_outreachaction_territory_id', 'outreachaction', ['territory_id'])
    op.create_index('ix_outreachaction_day', 'outreachaction', ['day'])
    op.create_index('ix_outreachaction_keyword', 'outreachaction', ['keyword'], unique=True)
    op.create_table(
        'visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', String(length=64), nullable=True),
        sa.Column('channel', String(length=16), nullable=False),
        sa.Column('source', String(length=64), nullable=True),
        sa.Column('territory_id', String(length=64), nullable=True),
        sa.Column('started_at', When(), nullable=False),
        sa.Column('screened_at', When(), nullable=True),
        sa.Column('booked_at', When(), nullable=True),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_visit_conversation_id', 'visit', ['conversation_id'])
    op.create_index('ix_visit_source', 'visit', ['source'])
    op.create_index('ix_visit_territory_started', 'visit', ['territory_id', 'started_at', 'channel', 'source'])
    op.create_index('ix_visit_territory_screened', 'visit', ['territory_id', 'screened_at'])
    op.create_index('ix_visit_started', 'visit', ['started_at', 'channel', 'source'])
    op.create_table(
        'visitfact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('kind', String(length=16), nullable=False),
        sa.Column('key', String(length=100), nullable=False),
        sa.Column('monthly_euros', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('visit_id', 'kind', 'key', name='uq_visit_fact'))
    op.create_index('ix_visitfact_visit', 'visitfact', ['visit_id', 'kind', 'key', 'monthly_euros'])


def downgrade() -> None:
    for table in ('visitfact', 'visit', 'outreachaction', 'auditentry', 'staffinvite', 'staffsession', 'staffuser'):
        op.drop_table(table)
