"""The store port: a store backend opens the archives addressed by its URL schemes.

Backends are registered through ``checkengine_register_store_backends``; the built-in ones are
SQLite (a file path, the embedded default) and PostgreSQL (``postgresql://``, ``postgres://``). A
plugin adds another by registering a :class:`StoreBackend` whose ``open`` yields a
:class:`checkengine.archive.store.Store` - the store's SQL and its shared test suite define what
a backend must do (append-only enforced by the database, ids from the database, migrations).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Iterator
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from checkengine.archive.store import Store

FILE = "file"
"""The scheme of a plain path (``archive.sqlite``), and of ``file://`` URLs."""


class StoreBackend:
    """Opens archives. ``schemes`` are the URL schemes it serves; ``file`` serves file paths."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    schemes: ClassVar[tuple[str, ...]] = ()

    def open(self, location: str, *, write: bool,
             busy_timeout: float) -> contextlib.AbstractContextManager[Store]:  # pragma: no cover
        raise TypeError("store backends implement open()")


class SqliteBackend(StoreBackend):
    name = "sqlite"
    summary = "An archive in one SQLite file (a path; the embedded default)."
    schemes = (FILE,)

    @contextlib.contextmanager
    def open(self, location: str, *, write: bool, busy_timeout: float) -> Iterator[Store]:
        from checkengine.archive.sqlite import open_sqlite

        path = urlsplit(location).path if location.startswith(f"{FILE}://") else location
        with open_sqlite(Path(path), write=write, busy_timeout=busy_timeout) as store:
            yield store


class PostgresBackend(StoreBackend):
    name = "postgresql"
    summary = "An archive in a PostgreSQL database (postgresql://..., or the PG* variables)."
    schemes = ("postgresql", "postgres")

    @contextlib.contextmanager
    def open(self, location: str, *, write: bool, busy_timeout: float) -> Iterator[Store]:
        from checkengine.archive.postgres import open_postgres

        with open_postgres(location, write=write, busy_timeout=busy_timeout) as store:
            yield store
