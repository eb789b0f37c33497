"""SQLAlchemy 2 with psycopg 3 against a server (PG* environment
variables): the dialect's first connect, a model with primary keys, a
foreign key (in its own create_all), unique constraints, indexes and
server defaults; create_all,
ORM session CRUD and relationship loading, MetaData.reflect, the
inspector's get_columns/get_pk_constraint/get_foreign_keys/get_indexes/
get_unique_constraints, drop_all. One `ok`/`FAIL` line per check."""

import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import sqlalchemy as sa  # noqa: E402
from sqlalchemy import orm  # noqa: E402
from checks import check, eq, run  # noqa: E402

E = None


class Base(orm.DeclarativeBase):
    """Tables without foreign keys."""


class RelBase(orm.DeclarativeBase):
    """The table with a foreign key (created by its own create_all, so that
    a server without foreign keys still runs every other check)."""


class Author(Base):
    __tablename__ = "c_sa_author"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(80), unique=True)
    country: orm.Mapped[str] = orm.mapped_column(sa.String(2), server_default="FR")
    born: orm.Mapped[int | None] = orm.mapped_column(sa.SmallInteger)
    rating: orm.Mapped[decimal.Decimal | None] = orm.mapped_column(sa.Numeric(4, 1))
    active: orm.Mapped[bool] = orm.mapped_column(server_default=sa.true())
    __table_args__ = (
        sa.UniqueConstraint("country", "born", name="c_sa_author_country_born"),
        sa.Index("ix_c_sa_author_rating", "rating"),
    )


class Book(RelBase):
    __tablename__ = "c_sa_book"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    author_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey(Author.__table__.c.id, ondelete="CASCADE"), index=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.Text)
    pages: orm.Mapped[int] = orm.mapped_column(server_default=sa.text("100"))


Book.author = orm.relationship(Author, backref="books")


def engine_connect():
    global E
    url = sa.engine.URL.create(
        "postgresql+psycopg",
        username=os.environ["PGUSER"],
        database=os.environ["PGDATABASE"],
        query={"host": os.environ["PGHOST"], "port": os.environ["PGPORT"]},
    )
    E = sa.create_engine(url)
    with E.connect() as c:
        eq(c.execute(sa.text("SELECT 1")).scalar(), 1)
        eq(E.dialect.server_version_info[0], 15, "server version")


def create_all():
    with E.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS c_sa_book"))
        c.execute(sa.text("DROP TABLE IF EXISTS c_sa_author"))
    Base.metadata.create_all(E)
    check(sa.inspect(E).has_table("c_sa_author"), "has_table after create_all")


def orm_crud():
    with orm.Session(E) as s:
        a = Author(name="Colette", born=1873, rating=decimal.Decimal("9.5"))
        s.add_all([a, Author(name="Proust", born=1871)])
        s.commit()
        eq((a.country, a.active), ("FR", True), "server defaults")
        aid = a.id
    with orm.Session(E) as s:
        a = s.get(Author, aid)
        eq(a.name, "Colette")
        a.rating = decimal.Decimal("9.9")
        s.commit()
    with orm.Session(E) as s:
        q = sa.select(Author.name).where(Author.rating > 9).order_by(Author.name)
        eq(s.scalars(q).all(), ["Colette"])
        s.delete(s.scalars(sa.select(Author).where(Author.name == "Proust")).one())
        s.commit()
        eq(s.execute(sa.select(sa.func.count()).select_from(Author)).scalar(), 1)


def orm_integrity_error():
    with orm.Session(E) as s:
        s.add(Author(name="Colette"))
        try:
            s.commit()
            raise AssertionError("no error raised")
        except sa.exc.IntegrityError as e:
            eq(e.orig.sqlstate, "23505")
            eq(e.orig.diag.constraint_name, "c_sa_author_name_key")
            s.rollback()
        eq(s.execute(sa.select(sa.func.count()).select_from(Author)).scalar(), 1)


def bulk_insert_returning():
    with orm.Session(E) as s:
        ids = s.scalars(
            sa.insert(Author).returning(Author.id), [{"name": f"a{i}", "born": 1900 + i} for i in range(20)]
        ).all()
        eq(len(ids), 20)
        s.commit()


def reflect():
    md = sa.MetaData()
    md.reflect(E, only=["c_sa_author"])
    t = md.tables["c_sa_author"]
    eq([c.name for c in t.columns], ["id", "name", "country", "born", "rating", "active"])
    eq([c.name for c in t.primary_key.columns], ["id"])
    eq(sorted(i.name for i in t.indexes), ["ix_c_sa_author_rating"])


def inspect_columns():
    cols = sa.inspect(E).get_columns("c_sa_author")
    got = [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in cols]
    eq(got, [
        ("id", "INTEGER", False, "nextval('c_sa_author_id_seq'::regclass)"),
        ("name", "VARCHAR(80)", False, None),
        ("country", "VARCHAR(2)", False, "'FR'::character varying"),
        ("born", "SMALLINT", True, None),
        ("rating", "NUMERIC(4, 1)", True, None),
        ("active", "BOOLEAN", False, "true"),
    ])


def inspect_constraints():
    i = sa.inspect(E)
    eq(i.get_pk_constraint("c_sa_author")["constrained_columns"], ["id"])
    eq(sorted((u["name"], u["column_names"]) for u in i.get_unique_constraints("c_sa_author")),
       [("c_sa_author_country_born", ["country", "born"]), ("c_sa_author_name_key", ["name"])])
    eq(sorted((x["name"], x["column_names"], x["unique"]) for x in i.get_indexes("c_sa_author")),
       [("c_sa_author_country_born", ["country", "born"], True),
        ("c_sa_author_name_key", ["name"], True),
        ("ix_c_sa_author_rating", ["rating"], False)])
    eq(i.get_table_names(), ["c_sa_author"])


def create_all_foreign_key():
    RelBase.metadata.create_all(E)
    with orm.Session(E) as s:
        a = s.scalars(sa.select(Author).where(Author.name == "Colette")).one()
        s.add_all([Book(title="Chéri", author=a), Book(title="Gigi", author=a)])
        s.commit()
        eq(sorted(b.title for b in a.books), ["Chéri", "Gigi"])
        b = s.scalars(sa.select(Book).options(orm.joinedload(Book.author)).limit(1)).one()
        eq(b.author.name, "Colette")
        eq(b.pages, 100)
    fk = sa.inspect(E).get_foreign_keys("c_sa_book")
    eq([(f["constrained_columns"], f["referred_table"], f["referred_columns"], f["options"].get("ondelete")) for f in fk],
       [(["author_id"], "c_sa_author", ["id"], "CASCADE")])


def enum_column():
    md = sa.MetaData()
    t = sa.Table("c_sa_enum", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("mood", sa.Enum("sad", "ok", "happy", name="c_sa_mood")))
    md.drop_all(E)
    md.create_all(E)
    with E.begin() as c:
        c.execute(t.insert(), [{"id": 1, "mood": "ok"}])
        eq(c.execute(sa.select(t.c.mood)).scalar(), "ok")
    md.drop_all(E)


def yield_per():
    with orm.Session(E) as s:
        n = sum(1 for _ in s.scalars(sa.select(Author).execution_options(yield_per=5)))
        eq(n, 21)


def drop_all():
    check(sa.inspect(E).has_table("c_sa_author"), "nothing to drop")
    RelBase.metadata.drop_all(E)
    Base.metadata.drop_all(E)
    check(not sa.inspect(E).has_table("c_sa_author"), "table left after drop_all")
    E.dispose()


if __name__ == "__main__":
    run([
        ("engine_connect", engine_connect),
        ("create_all", create_all),
        ("orm_crud", orm_crud),
        ("orm_integrity_error", orm_integrity_error),
        ("bulk_insert_returning", bulk_insert_returning),
        ("reflect", reflect),
        ("inspect_columns", inspect_columns),
        ("inspect_constraints", inspect_constraints),
        ("create_all_foreign_key", create_all_foreign_key),
        ("enum_column", enum_column),
        ("yield_per", yield_per),
        ("drop_all", drop_all),
    ])
