"""Opening an archive (SQLite, WAL) and turning database failures into messages for people.

A writer holds one transaction for its whole run (``BEGIN IMMEDIATE``): a run is archived whole
or not at all (a full disk leaves the archive as it was), and a second writer waits at most the
busy timeout and is then told the archive is locked. Readers are never blocked (WAL).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from checkengine import __version__
from checkengine.archive.schema import APPLICATION_ID, DDL, SCHEMA_VERSION, triggers
from checkengine.errors import UserError

ENV = "CHECKENGINE_ARCHIVE"
DEFAULT_NAME = "checkengine-archive.sqlite"
DEFAULT_BUSY_TIMEOUT = 5.0
WRITE_CACHE_KIB = 64 * 1024


def archive_path(option: str | None) -> Path:
    """--db, else $CHECKENGINE_ARCHIVE, else checkengine-archive.sqlite in the working folder."""
    return Path(option or os.environ.get(ENV) or DEFAULT_NAME)


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class ArchiveError(UserError):
    """The archive cannot be used: damaged, locked, read-only, or the disk is full."""


def explain(path: Path, exc: sqlite3.Error, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> ArchiveError:
    """One message naming the archive, what went wrong and what to do about it."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return ArchiveError(
            f"{path}: the archive is locked by another writer (waited {busy_timeout:g} s); wait for the "
            "other `checkengine archive add` to finish and run again, or raise --busy-timeout"
        )
    if "disk is full" in lowered or "disk i/o error" in lowered and _disk_full(path):
        return ArchiveError(
            f"{path}: the disk is full; nothing of this run was archived (the archive is as it was); "
            "free some space and run again"
        )
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        return ArchiveError(
            f"{path}: cannot write the archive ({text}); use a folder you may write to "
            f"(--db or {ENV})"
        )
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError) or \
            "malformed" in lowered or "not a database" in lowered:
        return ArchiveError(
            f"{path}: not a readable checkengine archive ({text}); the file is damaged or is something "
            f"else: restore it from a backup, or use another archive (--db or {ENV})"
        )
    return ArchiveError(f"{path}: the archive failed: {text}")


def _disk_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent if str(path.parent) else Path("."))
    except OSError:
        return False
    return stats.f_bavail == 0


class Archive:
    """An open archive. Use :func:`open_archive`; it closes the connection and explains errors."""

    def __init__(self, path: Path, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self.path = path
        self.db = connection
        self.busy_timeout = busy_timeout

    # -- writing -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator["Archive"]:
        """One write transaction: committed on success (and on an interrupted run, whose rows
        are complete), rolled back on any failure."""
        # A run inserts into several indices at once; a larger page cache than SQLite's 2 MiB
        # default keeps their pages in memory instead of re-reading them from the WAL.
        self.db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise explain(self.path, exc, busy_timeout=self.busy_timeout) from None
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise explain(self.path, exc, busy_timeout=self.busy_timeout) from None

    def next_id(self, table: str) -> int:
        row = self.db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()
        return int(row[0])

    def query(self, sql: str, params: Any = ()) -> Iterator[sqlite3.Row]:
        try:
            cursor = self.db.execute(sql, params)
            while rows := cursor.fetchmany(500):
                yield from rows
        except sqlite3.Error as exc:
            raise explain(self.path, exc, busy_timeout=self.busy_timeout) from None


def _connect(path: Path, busy_timeout: float, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
    else:
        db = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
    db.row_factory = sqlite3.Row
    return db


def _create(db: sqlite3.Connection) -> None:
    # One script, one transaction: a half-made archive (killed while creating) cannot exist.
    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(
        "BEGIN IMMEDIATE;\n" + DDL + triggers() + f"\nPRAGMA application_id={APPLICATION_ID};\n"
        f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION}, {literal(now())}, "
        f"{literal('checkengine ' + __version__)});\nCOMMIT;"
    )


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
        raise ArchiveError(
            f"{path}: the archive has schema version {version}, newer than this checkengine "
            f"({__version__}) reads ({SCHEMA_VERSION}); upgrade checkengine"
        )


@contextlib.contextmanager
def open_archive(
    path: Path, *, write: bool, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> Iterator[Archive]:
    """Open (for *write*: create if missing) the archive at *path*, checked to be one."""
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
        if fresh:
            _create(db)
        _check(path, db)
        yield Archive(path, db, busy_timeout)
    except sqlite3.Error as exc:
        raise explain(path, exc, busy_timeout=busy_timeout) from None
    finally:
        if db is not None:
            db.close()
