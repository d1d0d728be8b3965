"""dashboard step events, entry codes and citizens' sources

Revision ID: 0020_ops
Revises: 0010_messaging
"""

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0020_ops"
down_revision = "0010_messaging"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("at", bot.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_flow_steps_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_steps")),
    )
    with op.batch_alter_table("flow_steps", schema=None) as batch_op:
        batch_op.create_index("ix_flow_steps_flow_at", ["flow", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_flow_steps_user_id"), ["user_id"], unique=False)

    op.create_table(
        "entry_codes",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("place_name", sa.String(length=80), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=96), nullable=False),
        sa.Column("created_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_entry_codes")),
    )
    op.create_table(
        "user_sources",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("at", bot.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sources_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_sources")),
    )
    with op.batch_alter_table("user_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sources_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_sources_code"), ["code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sources_code"))
        batch_op.drop_index(batch_op.f("ix_user_sources_at"))
    op.drop_table("user_sources")
    op.drop_table("entry_codes")
    with op.batch_alter_table("flow_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_steps_user_id"))
        batch_op.drop_index("ix_flow_steps_flow_at")
    op.drop_table("flow_steps")
