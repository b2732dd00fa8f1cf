"""A single-row insert made into many rows' statement on PostgreSQL (`recorder._rows_form`):
the row's placeholders found by their parentheses (casts carry their own), an upsert's tail
kept, anything else left alone; and a plain insert's rows streamed by COPY
(`recorder._copy_form`), an upsert, a RETURNING or a value other than a placeholder not."""

from __future__ import annotations

from enrollment_ledger.adapters.store.recorder import _copy_form, _rows_form
from sqlalchemy import Column, Date, LargeBinary, MetaData, String, Table, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as postgresql_insert

TABLE = Table(
    "t",
    MetaData(),
    Column("a", String(64), primary_key=True),
    Column("b", Date),
    Column("c", LargeBinary(32)),
)
DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


def compiled(statement: object) -> str:
    return str(statement.compile(dialect=DIALECT, column_keys=["a", "b", "c"]))  # type: ignore[attr-defined]


def test_an_insert_becomes_a_repeatable_row_of_positional_placeholders() -> None:
    form = _rows_form(compiled(insert(TABLE)))
    assert form is not None
    head, row, tail, names = form
    assert names == ("a", "b", "c")
    assert head == "INSERT INTO t (a, b, c) VALUES "
    assert row.startswith("(%s") and row.count("%s") == 3 and "%(" not in row
    assert tail == ""


def test_an_upsert_keeps_its_conflict_clause_after_the_rows() -> None:
    upsert = postgresql_insert(TABLE)
    upsert = upsert.on_conflict_do_update(index_elements=[TABLE.c.a], set_={"b": upsert.excluded.b})
    form = _rows_form(compiled(upsert))
    assert form is not None
    assert form[2] == " ON CONFLICT (a) DO UPDATE SET b = excluded.b"


def test_a_cast_with_its_own_parentheses_stays_inside_the_row() -> None:
    sql = "INSERT INTO t (a, b) VALUES (%(a)s::VARCHAR(64), %(b)s)"
    assert _rows_form(sql) == (
        "INSERT INTO t (a, b) VALUES ",
        "(%s::VARCHAR(64), %s)",
        "",
        ("a", "b"),
    )


def test_other_statements_are_left_alone() -> None:
    assert _rows_form(compiled(select(TABLE.c.a).where(TABLE.c.a == "x"))) is None
    assert _rows_form("INSERT INTO t (a) VALUES (%(a)s) RETURNING (SELECT %(b)s)") is None
    assert _rows_form("INSERT INTO t (a) VALUES (%(a)s") is None  # no closing parenthesis


def test_a_plain_insert_of_its_columns_is_copied() -> None:
    assert _copy_form(_rows_form(compiled(insert(TABLE)))) == "COPY t (a, b, c) FROM STDIN"
    cast = "INSERT INTO t (a, b) VALUES (%(a)s::VARCHAR, %(b)s::BIGINT)"
    assert _copy_form(_rows_form(cast)) == "COPY t (a, b) FROM STDIN"


def test_what_copy_cannot_do_stays_a_multi_row_insert() -> None:
    upsert = postgresql_insert(TABLE)
    upsert = upsert.on_conflict_do_update(index_elements=[TABLE.c.a], set_={"b": upsert.excluded.b})
    assert _copy_form(_rows_form(compiled(upsert))) is None
    assert _copy_form(_rows_form(compiled(insert(TABLE).returning(TABLE.c.a)))) is None
    assert _copy_form(_rows_form("INSERT INTO t (a, b) VALUES (%(a)s, now())")) is None
    assert _copy_form(_rows_form("INSERT INTO t (a, b) VALUES (%(a)s, %(b)s + 1)")) is None
    assert _copy_form(_rows_form("INSERT INTO t (a) VALUES (%(a)s::VARCHAR(64))")) is None
    assert _copy_form(None) is None
