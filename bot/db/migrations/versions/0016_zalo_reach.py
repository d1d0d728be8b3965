"""zalo reach: download links, ZNS consents and sends, window counts

Revision ID: 0016_zalo_reach
Revises: 0010_console
"""

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0016_zalo_reach"
down_revision = "0010_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "download_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_download_links")),
    )
    with op.batch_alter_table("download_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_download_links_expires_at"), ["expires_at"], unique=False
        )
    op.create_table(
        "zns_consents",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("agreed_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_zns_consents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_zns_consents")),
    )
    op.create_table(
        "zns_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("zalo_msg_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=256), nullable=True),
        sa.Column("sent_at", bot.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_zns_sends_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zns_sends")),
    )
    with op.batch_alter_table("zns_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zns_sends_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_zns_sends_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_reason", sa.String(length=16), nullable=True))
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("zns_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("outside_count", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("outside_count")
        batch_op.drop_column("zns_count")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("paused_reason")
    with op.batch_alter_table("zns_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zns_sends_user_id"))
        batch_op.drop_index(batch_op.f("ix_zns_sends_sent_at"))
    op.drop_table("zns_sends")
    op.drop_table("zns_consents")
    with op.batch_alter_table("download_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_links_expires_at"))
    op.drop_table("download_links")
