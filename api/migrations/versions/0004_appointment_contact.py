"""appointments: where to tell the person if the team cancels (encrypted)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_enc', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_column('contact_enc')
