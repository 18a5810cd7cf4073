"""vision: label regime on the filing, rectified reference faces, model and calibration
versions on every screening, calibration versions and labelled inspection outcomes

Existing filings keep their meaning: requires_9a=True was a fully regulated package,
False the small-battery exemption (lithium battery mark only).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provision', sqlmodel.sql.sqltypes.AutoString(length=30),
                                      nullable=False, server_default='fully_regulated'))
    op.execute("UPDATE filing SET provision = CASE WHEN requires_9a THEN 'fully_regulated' "
               "ELSE 'small_battery' END")
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.alter_column('provision', server_default=None)
        batch_op.drop_column('requires_9a')
    with op.batch_alter_table('filingphoto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quad', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('rectified_sha256',
                                      sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('filingphoto', schema=None) as batch_op:
        batch_op.alter_column('quad', server_default=None)
        batch_op.alter_column('rectified_sha256', server_default=None)
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_version',
                                      sqlmodel.sql.sqltypes.AutoString(length=40),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('calibration_version',
                                      sqlmodel.sql.sqltypes.AutoString(length=60),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.alter_column('model_version', server_default=None)
        batch_op.alter_column('calibration_version', server_default=None)
    op.create_table('calibrationversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version')
    )
    op.create_table('screeningoutcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('inspection_task_id', sa.Integer(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('bad', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_task_id'], ['inspectiontask.id'], ),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screeningoutcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screeningoutcome_inspection_task_id'),
                              ['inspection_task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screeningoutcome_screening_id'), ['screening_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('screeningoutcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screeningoutcome_screening_id'))
        batch_op.drop_index(batch_op.f('ix_screeningoutcome_inspection_task_id'))
    op.drop_table('screeningoutcome')
    op.drop_table('calibrationversion')
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_column('calibration_version')
        batch_op.drop_column('model_version')
    with op.batch_alter_table('filingphoto', schema=None) as batch_op:
        batch_op.drop_column('rectified_sha256')
        batch_op.drop_column('quad')
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_9a', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.execute("UPDATE filing SET requires_9a = (provision <> 'small_battery')")
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.alter_column('requires_9a', server_default=None)
        batch_op.drop_column('provision')
