"""pending tracker erasures; the pseudonym of a contact number given on the web (erasure by number)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pendingerasure',
        sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint('person_id'),
    )
    with op.batch_alter_table('pendingerasure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingerasure_next_attempt_at'), ['next_attempt_at'], unique=False)
    for table in ('appointment', 'callbackrequest'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('contact_person_id', sqlmodel.sql.sqltypes.AutoString(length=64),
                                          nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_contact_person_id'), ['contact_person_id'], unique=False)


def downgrade() -> None:
    for table in ('callbackrequest', 'appointment'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_contact_person_id'))
            batch_op.drop_column('contact_person_id')
    with op.batch_alter_table('pendingerasure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingerasure_next_attempt_at'))
    op.drop_table('pendingerasure')
