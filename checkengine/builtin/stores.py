"""Built-in store backends: SQLite (file paths) and PostgreSQL (``postgresql://`` URLs)."""

from __future__ import annotations

from typing import Callable

from checkengine import hookimpl
from checkengine.archive.backends import PostgresBackend, SqliteBackend, StoreBackend


@hookimpl(trylast=True)
def checkengine_register_store_backends(register: Callable[[StoreBackend], None]) -> None:
    register(SqliteBackend())
    register(PostgresBackend())
