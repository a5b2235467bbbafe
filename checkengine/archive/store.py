"""The archive's store: one interface, two backends (SQLite, the embedded default; PostgreSQL).

A store is opened by :func:`open_archive` with a location - a file path (SQLite) or a
``postgresql://`` URL (an empty ``postgresql://`` takes everything from the PG* environment
variables). Everything that touches SQL lives in this package: the backends (``sqlite``,
``postgres``) connect, run transactions, insert in bulk and turn database failures into messages
by their error codes; :class:`Store` holds the SQL both dialects share, and ``reading`` the
queries the archive, report and diff commands read through.

A writer holds one transaction for its whole run: a run is archived whole or not at all (a full
disk leaves the archive as it was). SQLite lets one writer in at a time (the next waits the busy
timeout, then is told the archive is locked); PostgreSQL lets any number write at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit

from checkengine import __version__
from checkengine.archive.backends import FILE
from checkengine.archive.reading import Reader
from checkengine.archive.rows import RecordRows
from checkengine.archive.schema import (
    ERROR_COLUMNS, MIGRATIONS, OUTCOME_COLUMNS, RECORD_COLUMNS, SCHEMA_VERSION, Dialect, Migration,
)
from checkengine.archive.workspace import WorkspaceStore
from checkengine.errors import UserError

ENV = "CHECKENGINE_ARCHIVE"
DEFAULT_NAME = "checkengine-archive.sqlite"
DEFAULT_BUSY_TIMEOUT = 5.0
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def archive_location(option: str | None) -> str:
    """--db, else $CHECKENGINE_ARCHIVE, else checkengine-archive.sqlite in the working folder."""
    return option or os.environ.get(ENV) or DEFAULT_NAME


def scheme_of(location: str | Path) -> str:
    """The URL scheme of *location* (``postgresql``), or ``file`` for a path."""
    found = _URL.match(location) if isinstance(location, str) else None
    return found.group(1).lower() if found else FILE


def is_url(location: str | Path) -> bool:
    """Whether *location* is the URL of an archive a store backend serves (``postgresql://``), not a
    file path (nor another kind of URL: ``memo://`` may name records of a source)."""
    from checkengine.plugins import default_registry

    scheme = scheme_of(location)
    return scheme != FILE and scheme in default_registry().stores


def shown(url: str) -> str:
    """*url* without its password (for messages: a terminal's scroll-back is not a secret store)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = user.split(":", 1)[0] + "@" + host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"], safe="/")
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class ArchiveError(UserError):
    """The archive cannot be used: damaged, locked, read-only, unreachable, or the disk is full."""


def newer_schema(name: str, version: int) -> ArchiveError:
    return ArchiveError(
        f"{name}: the archive has schema version {version}, newer than this checkengine "
        f"({__version__}) reads ({SCHEMA_VERSION}); upgrade checkengine"
    )


class Store(WorkspaceStore, Reader, ABC):
    """An open archive. Use :func:`open_archive`; it closes the connection and explains errors.

    SQL here is written once for both dialects with ``?`` marks; a backend translates them.
    """

    dialect: ClassVar[Dialect]
    name: str
    """How messages name the archive: its path, or its URL without the password."""
    applied: list[int]
    """The migrations this process applied to the archive (when it opened it to write)."""

    # -- what a backend provides -------------------------------------------------------------------
    @abstractmethod
    def explain(self, exc: BaseException) -> ArchiveError | None:
        """The message for a database failure (None: not one of the database's)."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int:
        """Run an ``INSERT ... RETURNING id`` and give the id the database chose."""

    @abstractmethod
    def insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Insert *rows* in bulk (SQLite: executemany; PostgreSQL: COPY)."""

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """One write transaction: committed on success, rolled back on any failure."""

    @abstractmethod
    def migration_lock(self) -> contextlib.AbstractContextManager[None]:
        """A write transaction that only one process at a time holds (for migrations)."""

    @abstractmethod
    def schema_version(self) -> int:
        """The newest migration applied (0: none, the archive is being made)."""

    # -- errors ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turns the database's failures into one message each."""
        try:
            yield
        except ArchiveError:
            raise
        except Exception as exc:
            explained = self.explain(exc)
            if explained is None:
                raise
            raise explained from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[Store]:
        """One write transaction, its failures explained (an interrupted run's rows are complete, so
        it is committed too)."""
        with self.guard(), self.transaction():
            yield self

    # -- migrations --------------------------------------------------------------------------------
    def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
        """Apply the migrations this archive lacks, in order, each recorded in ``schema_version``.
        Returns the numbers applied (none when the archive is up to date)."""
        applied = []
        with self.guard(), self.migration_lock():
            current = self.schema_version()
            known = migrations[-1].number if migrations else 0
            if current > known:
                raise newer_schema(self.name, current)
            for migration in migrations:
                if migration.number <= current:
                    continue
                for statement in migration.statements(self.dialect):
                    self.execute(statement)
                self.execute("INSERT INTO schema_version (version, applied_at, tool) VALUES (?, ?, ?)",
                             (migration.number, now(), f"checkengine {__version__}"))
                applied.append(migration.number)
        self.applied.extend(applied)
        return applied

    # -- writing a run -----------------------------------------------------------------------------
    def add_rulebook(self, rulebook_id: str, version: str, digest: str, merged: Mapping[str, Any]) -> int:
        """The id of the rulebook's row, added the first time its digest is seen - in a transaction
        of its own, so that writers of the same rulebook never wait for each other's runs."""
        with self.writing():
            self.execute("INSERT INTO rulebooks (rulebook_id, version, digest, merged, archived_at) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                         (rulebook_id, version, digest, json.dumps(merged, ensure_ascii=False), now()))
            row = self.rows("SELECT id FROM rulebooks WHERE digest = ?", (digest,))
        return int(row[0]["id"])

    def begin_run(self, rulebook: int, *, language: str, as_of: str | None, inputs: list[str],
                  waivers: list[dict[str, Any]]) -> int:
        """A new run's id (inside :meth:`writing`)."""
        return self.insert_returning_id(
            "INSERT INTO runs (rulebook, started_at, language, as_of, inputs, waivers, tool) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (rulebook, now(), language, as_of, json.dumps(inputs, ensure_ascii=False),
             json.dumps(waivers, ensure_ascii=False, default=str), f"checkengine {__version__}"),
        )

    def add_records(self, run: int, book: str, records: Sequence[RecordRows]) -> None:
        """Records with their outcomes; each record's id is the database's, read back by position."""
        if not records:
            return
        self.insert_many("records", RECORD_COLUMNS, ((run, book, *r.record) for r in records))
        seqs = [r.record[0] for r in records]
        ids = {row["seq"]: row["id"] for row in self.rows(
            "SELECT seq, id FROM records WHERE run = ? AND seq >= ? AND seq <= ?", (run, min(seqs), max(seqs)))}
        self.insert_many("outcomes", OUTCOME_COLUMNS, (
            (run, book, ids[r.record[0]], None, *o) for r in records for o in r.outcomes))

    def add_groups(self, run: int, book: str, groups: Sequence[tuple[str, tuple[Any, ...]]]) -> None:
        """Aggregate groups' outcomes: (group key, outcome columns from ``rule`` on)."""
        self.insert_many("outcomes", OUTCOME_COLUMNS, ((run, book, None, key, *row) for key, row in groups))

    def add_errors(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Unusable records: (run, seq, file, line, column, path, message)."""
        if rows:
            self.insert_many("errors", ERROR_COLUMNS, rows)

    def end_run(self, run: int, *, status: str, records: int, errors: int, groups: int) -> None:
        self.execute("INSERT INTO run_ends (run, finished_at, status, records, errors, groups) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (run, now(), status, records, errors, groups))


@contextlib.contextmanager
def open_archive(location: str | Path, *, write: bool,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[Store]:
    """Open the archive at *location* (a path or a URL such as ``postgresql://``), checked to be
    one, through the store backend of its scheme; for *write*, made if missing and brought up to
    the current schema."""
    from checkengine.plugins import default_registry

    backends = default_registry().stores
    scheme = scheme_of(location)
    backend = backends.get(scheme)
    if backend is None:
        known = ", ".join(f"{s}://" for s in sorted(backends) if s != FILE)
        raise ArchiveError(
            f"{shown(str(location))}: no store backend serves '{scheme}://' archives; give a file path "
            f"(SQLite) or a URL of a known scheme ({known}), or install the plugin that adds it"
        )
    with backend.open(str(location), write=write, busy_timeout=busy_timeout) as store:
        yield store
