"""inspection result photos: evidence_sha256s on inspectiontask

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01 17:00:00

The lead re-chains down_revision onto the newest revision on merge.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inspectiontask', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_sha256s', sa.JSON(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('inspectiontask', schema=None) as batch_op:
        batch_op.alter_column('evidence_sha256s', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('inspectiontask', schema=None) as batch_op:
        batch_op.drop_column('evidence_sha256s')
