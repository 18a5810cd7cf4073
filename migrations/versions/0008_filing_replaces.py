"""filing: the earlier filing of the same design a new filing replaces (an approved filing is
locked, so an exporter whose reference face turned out wrong files the design again)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_filing_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_filing_replaces_filing_id'),
                              ['replaces_filing_id'], unique=False)
        batch_op.create_foreign_key('fk_filing_replaces_filing_id', 'filing',
                                    ['replaces_filing_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_constraint('fk_filing_replaces_filing_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_filing_replaces_filing_id'))
        batch_op.drop_column('replaces_filing_id')
