"""durable jobs, photo fingerprints, one live declaration per container

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 16:00:12.410910
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_FREE = ('cancelled', 'rejected', 'loaded')  # enum names, as stored


def upgrade() -> None:
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('active_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='jobstatus'), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('active_key', name='uq_job_active_key')
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)

    op.create_table('photofingerprint',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], ),
    sa.PrimaryKeyConstraint('sha256')
    )
    with op.batch_alter_table('photofingerprint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photofingerprint_declaration_id'), ['declaration_id'], unique=False)

    with op.batch_alter_table('container', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_no', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True))
    # Existing live declarations keep their containers; where several shared one, the newest
    # holds it (the others still show in the port lookup's history).
    op.execute(f"""
        UPDATE container SET live_no = container_no
        WHERE id IN (
            SELECT MAX(c.id) FROM container c JOIN declaration d ON d.id = c.declaration_id
            WHERE d.status NOT IN {LIVE_FREE} GROUP BY c.container_no)
    """)
    with op.batch_alter_table('container', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_container_live_no', ['live_no'])

    with op.batch_alter_table('packingphoto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reused_from_declaration_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_packingphoto_reused_from', 'declaration',
                                    ['reused_from_declaration_id'], ['id'])

    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_sha256s', sa.JSON(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.alter_column('photo_sha256s', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_column('photo_sha256s')

    with op.batch_alter_table('packingphoto', schema=None) as batch_op:
        batch_op.drop_constraint('fk_packingphoto_reused_from', type_='foreignkey')
        batch_op.drop_column('reused_from_declaration_id')

    with op.batch_alter_table('container', schema=None) as batch_op:
        batch_op.drop_constraint('uq_container_live_no', type_='unique')
        batch_op.drop_column('live_no')

    with op.batch_alter_table('photofingerprint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photofingerprint_declaration_id'))

    op.drop_table('photofingerprint')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status'))
        batch_op.drop_index(batch_op.f('ix_job_kind'))
        batch_op.drop_index(batch_op.f('ix_job_declaration_id'))

    op.drop_table('job')
    op.execute("DROP TYPE IF EXISTS jobstatus") if op.get_bind().dialect.name == "postgresql" else None
