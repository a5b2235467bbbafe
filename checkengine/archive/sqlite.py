"""The SQLite store: one file, WAL, one writer at a time; failures told apart by SQLite's result
codes (``sqlite_errorcode``), never by their text."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from checkengine.archive.schema import APPLICATION_ID, SCHEMA_VERSION
from checkengine.archive.store import ENV, ArchiveError, Store, newer_schema

WRITE_CACHE_KIB = 64 * 1024
_LOCKED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_CANNOT_WRITE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def _disk_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent if str(path.parent) else Path("."))
    except OSError:
        return False
    return stats.f_bavail == 0


def explain(path: Path, exc: sqlite3.Error, *, busy_timeout: float) -> ArchiveError:
    """One message naming the archive, what went wrong and what to do about it."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF  # extended codes carry the primary in the low byte
    if primary in _LOCKED:
        return ArchiveError(
            f"{path}: the archive is locked by another writer (waited {busy_timeout:g} s); wait for the "
            "other `checkengine archive add` to finish and run again, or raise --busy-timeout"
        )
    if primary == sqlite3.SQLITE_FULL or primary == sqlite3.SQLITE_IOERR and _disk_full(path):
        return ArchiveError(
            f"{path}: the disk is full; nothing of this run was archived (the archive is as it was); "
            "free some space and run again"
        )
    if primary in _CANNOT_WRITE:
        return ArchiveError(
            f"{path}: cannot write the archive ({exc}); use a folder you may write to (--db or {ENV})"
        )
    if primary in _DAMAGED:
        return ArchiveError(
            f"{path}: not a readable checkengine archive ({exc}); the file is damaged or is something "
            f"else: restore it from a backup, or use another archive (--db or {ENV})"
        )
    if primary == sqlite3.SQLITE_CONSTRAINT:
        return ArchiveError(f"{path}: the archive refused the change ({exc})")
    return ArchiveError(f"{path}: the archive failed: {exc}")


class SqliteStore(Store):
    dialect = "sqlite"

    def __init__(self, path: Path, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self.path = path
        self.name = str(path)
        self.db = connection
        self.busy_timeout = busy_timeout
        self.applied: list[int] = []

    def explain(self, exc: BaseException) -> ArchiveError | None:
        if not isinstance(exc, sqlite3.Error):
            return None
        return explain(self.path, exc, busy_timeout=self.busy_timeout)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        with self.guard():
            return list(self.db.execute(sql, params).fetchall())

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Mapping[str, Any]]:
        with self.guard():
            cursor = self.db.execute(sql, params)
            while batch := cursor.fetchmany(500):
                yield from batch

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.db.execute(sql, params)

    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.db.execute(sql, params).fetchone()[0])

    def insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        # A run inserts into several indices at once; a larger page cache than SQLite's 2 MiB
        # default keeps their pages in memory instead of re-reading them from the WAL.
        self.db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise

    def migration_lock(self) -> contextlib.AbstractContextManager[None]:
        return self.transaction()  # BEGIN IMMEDIATE already lets one writer in

    def schema_version(self) -> int:
        exists = self.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'").fetchone()[0]
        if not exists:
            return 0
        return int(self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])


def _connect(path: Path, busy_timeout: float, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
    else:
        db = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
    db.row_factory = sqlite3.Row
    return db


def _blank(db: sqlite3.Connection) -> bool:
    """No checkengine mark and no tables: an empty database."""
    app = db.execute("PRAGMA application_id").fetchone()[0]
    return bool(app == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)


def _check(path: Path, db: sqlite3.Connection) -> None:
    app = db.execute("PRAGMA application_id").fetchone()[0]
    if app != APPLICATION_ID:
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        what = "an empty SQLite database" if tables == 0 else "a SQLite database of another program"
        raise ArchiveError(
            f"{path}: not a checkengine archive ({what}); give the path of an archive made by "
            f"`checkengine archive add`, or a new file name (--db or {ENV})"
        )
    version = db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    if version is None or version > SCHEMA_VERSION:
        raise newer_schema(str(path), version)


@contextlib.contextmanager
def open_sqlite(path: Path, *, write: bool, busy_timeout: float) -> Iterator[SqliteStore]:
    """Open (for *write*: create if missing, and migrate) the archive at *path*, checked to be one."""
    if not write and not path.exists():
        raise ArchiveError(
            f"{path}: no archive there; make one with `checkengine archive add --db {path} "
            f"--rulebook RULEBOOK RECORDS...`, or point --db (or {ENV}) at an existing one"
        )
    if path.exists() and not path.is_file():
        raise ArchiveError(f"{path}: is a folder, not an archive file; give a file name (--db or {ENV})")
    folder = path.parent if str(path.parent) else Path(".")
    if write and not folder.is_dir():
        raise ArchiveError(f"{path}: the folder {folder} does not exist; create it first")
    db: sqlite3.Connection | None = None
    try:
        fresh = write and (not path.exists() or path.stat().st_size == 0)
        db = _connect(path, busy_timeout, readonly=not write)
        store = SqliteStore(path, db, busy_timeout)
        # A blank database is made into an archive too: it may be one that another writer is
        # making right now (its tables are not committed yet); the migration waits for it.
        if fresh or write and _blank(db):
            db.execute("PRAGMA journal_mode=WAL")
            store.migrate()  # one transaction: a half-made archive (killed while creating) cannot exist
        _check(path, db)
        if write and store.schema_version() < SCHEMA_VERSION:
            store.migrate()
        yield store
    except sqlite3.Error as exc:
        raise explain(path, exc, busy_timeout=busy_timeout) from None
    finally:
        if db is not None:
            db.close()
