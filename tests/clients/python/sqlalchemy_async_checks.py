"""SQLAlchemy 2 with asyncpg (`postgresql+asyncpg://`, an async engine)
against a server (PG* environment variables): the dialect's first connect,
create_all of a model with a primary key, a foreign key, a unique
constraint, an index, server defaults and an enum; ORM AsyncSession CRUD
and relationship loading, an IntegrityError with its constraint,
MetaData.reflect and the inspector through run_sync, streaming results,
drop_all. One `ok`/`FAIL` line per check (python/checks.py)."""

import enum
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import sqlalchemy as sa  # noqa: E402
from sqlalchemy import orm  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine  # noqa: E402
from checks import check, eq, run_async  # noqa: E402

E = None


class Base(orm.DeclarativeBase):
    pass


class Kind(enum.Enum):
    novel = "novel"
    essay = "essay"


class Writer(Base):
    __tablename__ = "c_saa_writer"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(80), unique=True)
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2), server_default="FR")
    added: orm.Mapped[sa.DateTime] = orm.mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    books: orm.Mapped[list["Work"]] = orm.relationship(back_populates="writer", cascade="all, delete-orphan")


class Work(Base):
    __tablename__ = "c_saa_work"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    writer_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("c_saa_writer.id", ondelete="CASCADE"), index=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.Text)
    kind: orm.Mapped[Kind] = orm.mapped_column(sa.Enum(Kind, name="c_saa_kind"), server_default="novel")
    writer: orm.Mapped[Writer] = orm.relationship(back_populates="books")


async def engine_connect():
    global E
    url = sa.engine.URL.create(
        "postgresql+asyncpg",
        username=os.environ["PGUSER"],
        database=os.environ["PGDATABASE"],
        query={"host": os.environ["PGHOST"], "port": os.environ["PGPORT"]},
    )
    E = create_async_engine(url)
    async with E.connect() as c:
        eq((await c.execute(sa.text("SELECT 1"))).scalar(), 1)
    eq(E.dialect.server_version_info[0], 15, "server version")


async def create_all():
    async with E.begin() as c:
        await c.execute(sa.text("DROP TABLE IF EXISTS c_saa_work, c_saa_writer"))
        await c.execute(sa.text("DROP TYPE IF EXISTS c_saa_kind"))
        await c.run_sync(Base.metadata.create_all)
        names = await c.run_sync(lambda sc: sa.inspect(sc).get_table_names())
    check({"c_saa_writer", "c_saa_work"} <= set(names), f"tables after create_all: {names}")


async def orm_crud():
    async with AsyncSession(E, expire_on_commit=False) as s:
        w = Writer(name="Sand", books=[Work(title="Indiana"), Work(title="Lettres", kind=Kind.essay)])
        s.add_all([w, Writer(name="Hugo", country="GB")])
        await s.commit()
        await s.refresh(w)
        eq(w.country, "FR", "server default")
        check(w.added is not None and w.added.tzinfo is not None, f"timestamptz default: {w.added!r}")
        wid = w.id
    async with AsyncSession(E) as s:
        w = await s.get(Writer, wid, options=[orm.selectinload(Writer.books)])
        eq(sorted((b.title, b.kind) for b in w.books), [("Indiana", Kind.novel), ("Lettres", Kind.essay)])
        w.books[0].title = "Indiana (1832)"
        await s.commit()
    async with AsyncSession(E) as s:
        q = sa.select(Work.title).join(Writer).where(Writer.name == "Sand").order_by(Work.title)
        eq((await s.scalars(q)).all(), ["Indiana (1832)", "Lettres"])
        hugo = (await s.scalars(sa.select(Writer).where(Writer.name == "Hugo"))).one()
        await s.delete(hugo)
        await s.commit()
        eq((await s.execute(sa.select(sa.func.count()).select_from(Writer))).scalar(), 1)


async def integrity_error():
    async with AsyncSession(E) as s:
        s.add(Writer(name="Sand"))
        try:
            await s.commit()
            raise AssertionError("no error raised")
        except sa.exc.IntegrityError as e:
            eq(e.orig.sqlstate, "23505")
            eq(e.orig.__cause__.constraint_name, "c_saa_writer_name_key")
            await s.rollback()
        eq((await s.execute(sa.select(sa.func.count()).select_from(Writer))).scalar(), 1)


async def reflect():
    def go(sc):
        md = sa.MetaData()
        md.reflect(sc, only=["c_saa_writer", "c_saa_work"])
        return md
    async with E.connect() as c:
        md = await c.run_sync(go)
    w = md.tables["c_saa_work"]
    eq([c.name for c in w.columns], ["id", "writer_id", "title", "kind"])
    eq([(fk.parent.name, fk.column.table.name, fk.ondelete) for fk in w.foreign_keys],
       [("writer_id", "c_saa_writer", "CASCADE")])
    eq(w.c.kind.type.enums, ["novel", "essay"], "enum labels")
    eq(sorted(i.name for i in w.indexes), ["ix_c_saa_work_writer_id"])


async def inspector():
    async with E.connect() as c:
        got = await c.run_sync(lambda sc: (
            sa.inspect(sc).get_unique_constraints("c_saa_writer"),
            [(x["name"], x["default"]) for x in sa.inspect(sc).get_columns("c_saa_writer")],
            sa.inspect(sc).get_enums(),
        ))
    eq([u["column_names"] for u in got[0]], [["name"]])
    eq(got[1], [("id", "nextval('c_saa_writer_id_seq'::regclass)"), ("name", None),
                ("country", "'FR'::character varying"), ("added", "now()")])
    eq([(e["name"], e["labels"]) for e in got[2] if e["name"] == "c_saa_kind"], [("c_saa_kind", ["novel", "essay"])])


async def stream():
    async with E.connect() as c:
        r = await c.stream(sa.text("SELECT g FROM generate_series(1, 250) g"))
        n = 0
        async for part in r.partitions(100):
            n += len(part)
        eq(n, 250)


async def drop_all():
    async with E.begin() as c:
        await c.run_sync(Base.metadata.drop_all)
        names = await c.run_sync(lambda sc: sa.inspect(sc).get_table_names())
    check("c_saa_work" not in names, f"tables after drop_all: {names}")
    await E.dispose()


if __name__ == "__main__":
    run_async([
        ("engine_connect", engine_connect),
        ("create_all", create_all),
        ("orm_crud", orm_crud),
        ("integrity_error", integrity_error),
        ("reflect", reflect),
        ("inspector", inspector),
        ("stream", stream),
        ("drop_all", drop_all),
    ])
