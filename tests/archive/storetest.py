"""Helpers of the store tests: archiving the scenario, and reading an archive's tables directly
(with the database's own client, behind the store's back). A module of its own name, not conftest:
test modules import it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable

from checkengine.archive.add import add_batch
from checkengine.archive.store import is_url, open_archive
from checkengine.batch.executors import InlineExecutor
from checkengine.batch.job import EngineSpec
from checkengine.rulebook.load import load_rulebook

Raw = Callable[[str], list[tuple[Any, ...]]]


def raw_rows(location: str, sql: str) -> list[tuple[Any, ...]]:
    if is_url(location):
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            cursor = connection.execute(sql)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
    con = sqlite3.connect(location, isolation_level=None)
    try:
        return [tuple(r) for r in con.execute(sql)]
    finally:
        con.close()


def raw_failure(location: str, sql: str) -> str:
    """The database's own message when it refuses *sql* (an AssertionError if it does not)."""
    if is_url(location):
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            try:
                connection.execute(sql)
            except psycopg.errors.RestrictViolation as exc:
                return str(exc.diag.message_primary)
    else:
        con = sqlite3.connect(location)
        try:
            con.execute(sql)
        except sqlite3.IntegrityError as exc:
            return str(exc)
        finally:
            con.close()
    raise AssertionError(f"the database accepted {sql}")


def archive_once(location: str, book_path: Path, paths: list[Path], **options: Any) -> tuple[int, Any]:
    spec = EngineSpec(load_rulebook(book_path))
    with open_archive(location, write=True, busy_timeout=options.pop("busy_timeout", 5.0)) as archive:
        return add_batch(archive, spec, paths, options.pop("executor", None) or InlineExecutor(), language="en",
                         **options)
