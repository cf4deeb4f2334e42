"""rendez-vous des droits: appointments and call-back requests

Two new tables. `uq_appointment_seat` (slot_id, seat) is what prevents a double booking: a cancelled
appointment sets its seat to NULL, which unique constraints ignore on SQLite and PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
When = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table('appointment',
    sa.Column('id', String(length=32), nullable=False),
    sa.Column('person_id', String(length=64), nullable=False),
    sa.Column('channel', String(length=16), nullable=False),
    sa.Column('territory_id', String(length=64), nullable=False),
    sa.Column('place_id', String(length=64), nullable=False),
    sa.Column('slot_id', String(length=160), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=True),
    sa.Column('start', When(), nullable=False),
    sa.Column('end', When(), nullable=False),
    sa.Column('status', String(length=16), nullable=False),
    sa.Column('share_summary', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('reminder_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slot_id', 'seat', name='uq_appointment_seat')
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        for column in ('person_id', 'territory_id', 'place_id', 'slot_id', 'start', 'status'):
            batch_op.create_index(batch_op.f(f'ix_appointment_{column}'), [column], unique=False)

    op.create_table('callbackrequest',
    sa.Column('id', String(length=32), nullable=False),
    sa.Column('person_id', String(length=64), nullable=False),
    sa.Column('channel', String(length=16), nullable=False),
    sa.Column('territory_id', String(length=64), nullable=False),
    sa.Column('preferred_times', String(length=200), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=True),
    sa.Column('status', String(length=16), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('done_at', When(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callbackrequest', schema=None) as batch_op:
        for column in ('person_id', 'territory_id', 'status'):
            batch_op.create_index(batch_op.f(f'ix_callbackrequest_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('callbackrequest', schema=None) as batch_op:
        for column in ('person_id', 'territory_id', 'status'):
            batch_op.drop_index(batch_op.f(f'ix_callbackrequest_{column}'))
    op.drop_table('callbackrequest')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        for column in ('person_id', 'territory_id', 'place_id', 'slot_id', 'start', 'status'):
            batch_op.drop_index(batch_op.f(f'ix_appointment_{column}'))
    op.drop_table('appointment')
