"""Alembic with SQLAlchemy 2 and psycopg 3 against a server (PG*
environment variables): after create_all of a model (primary keys, a
foreign key, unique, index, server defaults, an enum), autogenerate's
comparison of the model with the database finds no change; then a
migration script directory is run: upgrade (op.add_column,
op.create_index, op.alter_column server_default, op.drop_column, the
alembic_version table) and downgrade back to base, after which the
database again matches the model. One `ok`/`FAIL` line per check."""

import atexit
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.autogenerate import compare_metadata  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.migration import MigrationContext  # noqa: E402
from checks import check, eq, run  # noqa: E402

E = None
MD = sa.MetaData()
sa.Table(
    "c_al_parent", MD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(60), nullable=False, unique=True),
    sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("status", sa.Enum("new", "done", name="c_al_status"), server_default="new"),
)
sa.Table(
    "c_al_child", MD,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("c_al_parent.id", ondelete="CASCADE"), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("legacy", sa.Text),
    sa.Column("weight", sa.Numeric(8, 2), server_default="0"),
    sa.Index("ix_c_al_child_note", "note"),
    sa.UniqueConstraint("parent_id", "note", name="c_al_child_parent_note"),
)

ENV_PY = '''
from alembic import context
context.configure(connection=context.config.attributes["connection"], target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
'''

REVISION = '''
"""The migration the checks run."""
import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None


def upgrade():
    op.add_column("c_al_child", sa.Column("rank", sa.Integer, nullable=True))
    op.create_index("ix_c_al_child_rank", "c_al_child", ["rank"])
    op.alter_column("c_al_child", "note", server_default="none")
    op.drop_column("c_al_child", "legacy")


def downgrade():
    op.add_column("c_al_child", sa.Column("legacy", sa.Text))
    op.alter_column("c_al_child", "note", server_default=None)
    op.drop_index("ix_c_al_child_rank", table_name="c_al_child")
    op.drop_column("c_al_child", "rank")
'''


def engine_connect():
    global E
    url = sa.engine.URL.create(
        "postgresql+psycopg",
        username=os.environ["PGUSER"],
        database=os.environ["PGDATABASE"],
        query={"host": os.environ["PGHOST"], "port": os.environ["PGPORT"]},
    )
    E = sa.create_engine(url)
    with E.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS c_al_child, c_al_parent, alembic_version"))
        c.execute(sa.text("DROP TYPE IF EXISTS c_al_status"))


def create_all():
    MD.create_all(E)


def ours(obj, name, type_, reflected, compare_to):
    return type_ != "table" or name.startswith("c_al_")


def changes():
    with E.connect() as c:
        ctx = MigrationContext.configure(c, opts={
            "compare_type": True,
            "compare_server_default": True,
            "include_object": ours,
        })
        return compare_metadata(ctx, MD)


def autogenerate_no_changes():
    eq(changes(), [], "autogenerate after create_all")


def autogenerate_sees_a_change():
    # The comparison is not vacuous: a column the model lacks is found.
    with E.begin() as c:
        c.execute(sa.text("ALTER TABLE c_al_child ADD COLUMN extra int"))
    try:
        got = [(d[0], d[3].name) for d in changes() if d[0] == "remove_column"]
        eq(got, [("remove_column", "extra")])
    finally:
        with E.begin() as c:
            c.execute(sa.text("ALTER TABLE c_al_child DROP COLUMN extra"))


def config(conn):
    d = tempfile.mkdtemp(prefix="alembic-")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    os.mkdir(os.path.join(d, "versions"))
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(d, "versions", "c0001_change_child.py"), "w") as f:
        f.write(REVISION)
    cfg = Config()
    cfg.set_main_option("script_location", d)
    cfg.attributes["connection"] = conn
    return cfg


def columns():
    insp = sa.inspect(E)
    cols = {c["name"]: c for c in insp.get_columns("c_al_child")}
    idx = sorted(i["name"] for i in insp.get_indexes("c_al_child"))
    return cols, idx


def upgrade():
    with E.begin() as c:
        command.upgrade(config(c), "head")
    cols, idx = columns()
    eq(list(cols), ["id", "parent_id", "note", "weight", "rank"], "columns after upgrade")
    eq(cols["note"]["default"], "'none'::text", "note's default")
    eq(idx, ["c_al_child_parent_note", "ix_c_al_child_note", "ix_c_al_child_rank"], "indexes")
    with E.connect() as c:
        eq(c.execute(sa.text("SELECT version_num FROM alembic_version")).all(), [("c0001",)])
        eq(MigrationContext.configure(c).get_current_revision(), "c0001")


def downgrade():
    with E.begin() as c:
        command.downgrade(config(c), "base")
    cols, idx = columns()
    eq(list(cols), ["id", "parent_id", "note", "weight", "legacy"], "columns after downgrade")
    eq(cols["note"]["default"], None, "note's default")
    eq(idx, ["c_al_child_parent_note", "ix_c_al_child_note"], "indexes")
    with E.connect() as c:
        eq(c.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar(), 0)


def autogenerate_after_downgrade():
    # Only the columns' order differs from the model, which autogenerate
    # does not compare.
    eq(changes(), [], "autogenerate after downgrade")


def cleanup():
    MD.drop_all(E)
    with E.begin() as c:
        c.execute(sa.text("DROP TABLE alembic_version"))
    E.dispose()


if __name__ == "__main__":
    run([
        ("engine_connect", engine_connect),
        ("create_all", create_all),
        ("autogenerate_no_changes", autogenerate_no_changes),
        ("autogenerate_sees_a_change", autogenerate_sees_a_change),
        ("upgrade", upgrade),
        ("downgrade", downgrade),
        ("autogenerate_after_downgrade", autogenerate_after_downgrade),
        ("cleanup", cleanup),
    ])
