"""filingphoto: the required labels the photo check sees on each flattened reference face
(a face flattened from wrong corners cuts labels off, and damage outside it passes unseen)

Photos filed before keep NULL: not looked at; the filing page says so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('filingphoto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('labels_seen', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('filingphoto', schema=None) as batch_op:
        batch_op.drop_column('labels_seen')
