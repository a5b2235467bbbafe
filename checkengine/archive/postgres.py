"""The PostgreSQL store: any number of writers at once, bulk inserts by COPY, ids from identity
columns; failures told apart by their SQLSTATE, never by their text.

Connection: a ``postgresql://`` URL (libpq's syntax: ``postgresql://user@host:5432/db``,
``postgresql:///db?host=/run/postgresql``); whatever the URL leaves out comes from the usual PG*
environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGPASSFILE, PGSSLMODE,...),
so ``postgresql://`` alone uses them for everything.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from checkengine.archive.schema import APPEND_ONLY_SQLSTATE, SCHEMA_VERSION
from checkengine.archive.store import ENV, ArchiveError, Store, newer_schema, shown
from checkengine.errors import UserError

if TYPE_CHECKING:
    import psycopg

# Any number fixed for checkengine: the advisory lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x43484B41
STREAM_ROWS = 2000


def _marks(sql: str) -> str:
    """The shared SQL's ``?`` marks as psycopg's ``%s`` (the shared SQL has no ``%`` of its own)."""
    assert "%" not in sql, sql
    return sql.replace("?", "%s")


def explain(name: str, exc: Exception, *, busy_timeout: float) -> ArchiveError:
    """One message naming the archive, what went wrong and what to do about it, by SQLSTATE."""
    import psycopg

    state: str | None = getattr(exc, "sqlstate", None)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    klass = state[:2] if state else None
    if state is None and isinstance(exc, psycopg.OperationalError) or klass == "08":
        return ArchiveError(
            f"{name}: cannot connect to PostgreSQL ({first}); check the URL (or the PG* environment "
            "variables) and that the server runs and accepts connections"
        )
    if klass == "28":
        return ArchiveError(f"{name}: PostgreSQL refused the login ({first}); check the user and password "
                            "(in the URL, PGUSER and PGPASSWORD, or ~/.pgpass)")
    if state == "3D000":
        return ArchiveError(f"{name}: no such database ({first}); create it first (createdb NAME)")
    if state in ("55P03", "57014"):  # lock_not_available, query_canceled (lock_timeout)
        return ArchiveError(
            f"{name}: the archive is locked by another writer (waited {busy_timeout:g} s); wait for the "
            "other `checkengine archive add` to finish and run again, or raise --busy-timeout"
        )
    if klass == "53":  # insufficient resources: disk full (53100), out of memory, too many connections
        if state == "53100":
            return ArchiveError(f"{name}: the database server's disk is full; nothing of this run was archived "
                                "(the archive is as it was); free some space and run again")
        return ArchiveError(f"{name}: the database server is out of resources ({first}); run again later")
    if state in ("42501", "25006"):  # insufficient_privilege, read_only_sql_transaction
        return ArchiveError(f"{name}: cannot write the archive ({first}); use a role that may insert into "
                            f"the archive's tables (--db or {ENV})")
    if state == APPEND_ONLY_SQLSTATE:
        return ArchiveError(f"{name}: the archive refused the change ({first})")
    if klass == "40":  # serialization failure, deadlock
        return ArchiveError(f"{name}: the run collided with another transaction ({first}); nothing of it was "
                            "archived; run again")
    if klass == "57":  # the server is shutting down, or the session was ended
        return ArchiveError(f"{name}: the database server ended the session ({first}); run again")
    return ArchiveError(f"{name}: the archive failed: {first}")


class PostgresStore(Store):
    dialect = "postgresql"

    def __init__(self, name: str, connection: psycopg.Connection[Any], busy_timeout: float) -> None:
        self.name = name
        self.db = connection
        self.busy_timeout = busy_timeout
        self.applied: list[int] = []

    def explain(self, exc: BaseException) -> ArchiveError | None:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            return None
        return explain(self.name, exc, busy_timeout=self.busy_timeout)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        with self.guard():
            return list(self.db.execute(_marks(sql), params).fetchall())

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Mapping[str, Any]]:
        with self.guard(), self.db.cursor() as cursor:
            yield from cursor.stream(_marks(sql), params, size=STREAM_ROWS)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if params:
            self.db.execute(_marks(sql), params)
        else:
            self.db.execute(sql)  # without parameters psycopg sends the text as it is (``%`` and all)

    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int:
        row = self.db.execute(_marks(sql), params).fetchone()
        assert row is not None
        return int(row["id"])

    def insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with self.db.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        return self.db.transaction()

    @contextlib.contextmanager
    def migration_lock(self) -> Iterator[None]:
        # The lock is taken before the transaction begins, not inside it: a transaction that waited
        # for the lock would still see the catalogue as it was when it began, miss the tables the
        # other process made meanwhile, and try to make them again.
        import psycopg

        self.db.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        try:
            with self.db.transaction():
                yield
        finally:
            with contextlib.suppress(psycopg.Error):  # a lost session has released it already
                self.db.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def schema_version(self) -> int:
        if not self._has("schema_version"):
            return 0
        row = self.db.execute("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version").fetchone()
        return int(row["v"]) if row else 0

    def _has(self, table: str) -> bool:
        row = self.db.execute("SELECT to_regclass(%s) IS NOT NULL AS found", (table,)).fetchone()
        return bool(row and row["found"])

    def _table_count(self) -> int:
        row = self.db.execute("SELECT count(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
                              ).fetchone()
        return int(row["n"]) if row else 0

    def check(self, *, write: bool) -> None:
        """That this database is a checkengine archive (for *write*: made, or brought up to date)."""
        if not self._has("schema_version"):
            if self._table_count() and not self._has("schema_version"):
                raise ArchiveError(
                    f"{self.name}: not a checkengine archive (a PostgreSQL database with tables of another "
                    f"program); give the URL of an archive made by `checkengine archive add`, or of an empty "
                    f"database (--db or {ENV})")
            if not write:
                raise ArchiveError(
                    f"{self.name}: no archive there (the database is empty); make one with `checkengine archive "
                    f"add --db {self.name} --rulebook RULEBOOK RECORDS...`, or point --db (or {ENV}) at an "
                    "existing one")
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise newer_schema(self.name, version)
        if write and version < SCHEMA_VERSION:
            self.migrate()


def _driver(url: str) -> None:
    """That psycopg is installed (a UserError saying how to install it if not)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise UserError(f"{shown(url)}: a PostgreSQL archive needs the 'psycopg' package; install it with "
                        "pip install 'checkengine[postgresql]'") from None


def _connect(url: str, busy_timeout: float, *, write: bool) -> psycopg.Connection[Any]:
    import psycopg
    from psycopg.rows import dict_row

    options = f"-c lock_timeout={int(busy_timeout * 1000)}"
    if not write:
        options += " -c default_transaction_read_only=on"
    connection: psycopg.Connection[Any] = psycopg.connect(
        url, autocommit=True, row_factory=dict_row, application_name="checkengine",
        connect_timeout=max(1, int(busy_timeout) or 1), options=options)
    return connection


@contextlib.contextmanager
def open_postgres(url: str, *, write: bool, busy_timeout: float) -> Iterator[PostgresStore]:
    """Open (for *write*: make if the database is empty, and migrate) the archive at *url*."""
    _driver(url)
    import psycopg

    name = shown(url)
    connection = None
    try:
        try:
            connection = _connect(url, busy_timeout, write=write)
        except psycopg.ProgrammingError as exc:  # a malformed URL: psycopg cannot parse it
            raise ArchiveError(f"{name}: not a PostgreSQL URL libpq understands ({exc}); e.g. "
                               "postgresql://user@host:5432/dbname, or postgresql:// with the PG* "
                               "environment variables") from None
        store = PostgresStore(name, connection, busy_timeout)
        store.check(write=write)
        yield store
    except psycopg.Error as exc:
        raise explain(name, exc, busy_timeout=busy_timeout) from None
    finally:
        if connection is not None:
            connection.close()
