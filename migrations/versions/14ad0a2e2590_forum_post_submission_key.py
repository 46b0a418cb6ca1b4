"""forum post submission key

Revision ID: 14ad0a2e2590
Revises: a62e065c088c
Create Date: 2026-12-03 18:20:18.391118

"""
from alembic import op
import sqlalchemy as sa
import hub.database


# revision identifiers, used by Alembic.
revision = '14ad0a2e2590'
down_revision = 'a62e065c088c'
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_forum_post_user_id_submission_key'), ['user_id', 'submission_key'])




def downgrade():

    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_forum_post_user_id_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')


