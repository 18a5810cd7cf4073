"""port side: e-seal transit with seal events, exporter webhooks and their delivery log

Revision ID: 0005
Revises: 0006
Create Date: 2026-12-01 16:27:10.461485
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhookendpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhookendpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhookendpoint_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('transit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('origin_office_id', sa.Integer(), nullable=False),
    sa.Column('destination_office_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_plate', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('eta', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], ),
    sa.ForeignKeyConstraint(['destination_office_id'], ['office.id'], ),
    sa.ForeignKeyConstraint(['origin_office_id'], ['office.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('transit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transit_declaration_id'), ['declaration_id'], unique=True)

    op.create_table('webhookdelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], ),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhookendpoint.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhookdelivery_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_event_id'), ['event_id'], unique=False)

    op.create_table('transitseal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transit_id', sa.Integer(), nullable=False),
    sa.Column('container_no', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('seal_no', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('departed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('broken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('broken_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['transit_id'], ['transit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('transitseal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transitseal_container_no'), ['container_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_transitseal_seal_no'), ['seal_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_transitseal_transit_id'), ['transit_id'], unique=False)

    op.create_table('sealevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('applied', 'departed', 'arrived', 'opened', 'tampered', name='sealeventkind'), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['seal_id'], ['transitseal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'nonce', name='uq_sealevent_source_nonce')
    )
    with op.batch_alter_table('sealevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealevent_seal_id'), ['seal_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sealevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealevent_seal_id'))

    op.drop_table('sealevent')
    with op.batch_alter_table('transitseal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transitseal_transit_id'))
        batch_op.drop_index(batch_op.f('ix_transitseal_seal_no'))
        batch_op.drop_index(batch_op.f('ix_transitseal_container_no'))

    op.drop_table('transitseal')
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_event_id'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_endpoint_id'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_declaration_id'))

    op.drop_table('webhookdelivery')
    with op.batch_alter_table('transit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transit_declaration_id'))

    op.drop_table('transit')
    with op.batch_alter_table('webhookendpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhookendpoint_enterprise_id'))

    op.drop_table('webhookendpoint')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS sealeventkind")
