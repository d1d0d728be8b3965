"""question log index by account and time (the daily cap across processes)

Revision ID: 0021_flood_index
Revises: 0010_handoff
"""

from alembic import op

revision = "0021_flood_index"
down_revision = "0010_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.create_index("ix_question_log_user_created", ["user_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("question_log", schema=None) as batch_op:
        batch_op.drop_index("ix_question_log_user_created")
