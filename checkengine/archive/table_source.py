"""Rows of a PostgreSQL table of JSON records, for the ``postgresql://`` source
(:class:`checkengine.builtin.sources.PostgresSource`). SQL lives in this package only."""

from __future__ import annotations

from typing import Any, Iterator

from checkengine.errors import UserError

CONNECT_TIMEOUT = 10


def check_driver(address: str) -> None:
    """That psycopg is installed (a UserError saying how to install it if not)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise UserError(f"{address.split('?')[0]}: reading PostgreSQL needs the 'psycopg' package; install "
                        "it with pip install 'checkengine[postgresql]'") from None


def check_table(url: str, name: str, table: str, column: str, order: str | None) -> None:
    """Refuse an unreachable server, a missing table or column before any output (no row is read)."""
    for _ in table_rows(url, name, table, column, order, limit=0):
        pass


def table_rows(url: str, name: str, table: str, column: str, order: str | None,
               limit: int | None = None) -> Iterator[tuple[int, Any]]:
    """(row number from 1, the value of *column*) of every row of *table*, through a server-side
    cursor in a read-only transaction (memory stays flat). Names are quoted as identifiers, never
    pasted into SQL; *name* is the URL without its password, for messages."""
    import psycopg
    from psycopg import sql

    from checkengine.archive.postgres import explain

    query = sql.SQL("SELECT {} FROM {}").format(sql.Identifier(column), sql.Identifier(*table.split(".", 1)))
    if order:
        query += sql.SQL(" ORDER BY {}").format(sql.Identifier(order))
    if limit is not None:
        query += sql.SQL(" LIMIT {}").format(sql.Literal(limit))
    try:
        connection = psycopg.connect(url, application_name="checkengine", connect_timeout=CONNECT_TIMEOUT,
                                     options="-c default_transaction_read_only=on")
    except psycopg.ProgrammingError as exc:  # a malformed URL: libpq cannot parse it
        raise UserError(f"{name}: not a PostgreSQL URL libpq understands ({str(exc).strip()}); e.g. "
                        "postgresql://user@host:5432/dbname?table=NAME") from None
    except psycopg.Error as exc:
        raise explain(name, exc, busy_timeout=CONNECT_TIMEOUT) from None
    try:
        with connection.transaction(), connection.cursor(name="checkengine_source") as cursor:
            cursor.itersize = 1000
            try:
                cursor.execute(query)
                for number, (value,) in enumerate(cursor, 1):
                    yield number, value
            except psycopg.errors.UndefinedTable:
                raise UserError(f"{name}: no table {table} in the database; check table= in the URL") from None
            except psycopg.errors.UndefinedColumn:
                raise UserError(f"{name}: the table {table} has no column {column}"
                                + (f" or {order}" if order else "")
                                + "; name the JSON column with column= (and the ordering one with order=)") from None
    except psycopg.Error as exc:
        raise explain(name, exc, busy_timeout=CONNECT_TIMEOUT) from None
    finally:
        connection.close()
