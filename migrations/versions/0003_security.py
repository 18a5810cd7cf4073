"""security: token revocation, account trail, login throttling, certificate verify tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('session_version', server_default=None)

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_token_sha256',
                                      sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('verify_token_sha256', server_default=None)

    op.create_table('loginthrottle',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('securityevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('securityevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_securityevent_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_securityevent_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_securityevent_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('securityevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_securityevent_user_id'))
        batch_op.drop_index(batch_op.f('ix_securityevent_at'))
        batch_op.drop_index(batch_op.f('ix_securityevent_action'))
    op.drop_table('securityevent')
    op.drop_table('loginthrottle')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('verify_token_sha256')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('session_version')
