"""A third-party store backend for tests: ``sitedir://NAME`` is the SQLite archive NAME.sqlite in
the folder named by $SITEDIR_ROOT (one archive per site, kept side by side).

It reuses checkengine's SQLite store, as a thin backend might; what it shows is that a backend is
added by a plugin alone - checkengine's commands open ``sitedir://`` archives without being edited.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Callable, Iterator

from checkengine import hookimpl
from checkengine.archive.backends import StoreBackend
from checkengine.archive.sqlite import open_sqlite
from checkengine.archive.store import ArchiveError, Store


class SiteDirBackend(StoreBackend):
    name = "sitedir"
    summary = "One SQLite archive per site in $SITEDIR_ROOT (sitedir://SITE)."
    schemes = ("sitedir",)

    @contextlib.contextmanager
    def open(self, location: str, *, write: bool, busy_timeout: float) -> Iterator[Store]:
        site = location.split("://", 1)[1]
        if not re.fullmatch(r"[a-z0-9-]+", site):
            raise ArchiveError(f"{location}: a site name is lower-case letters, digits and '-'")
        root = Path(os.environ["SITEDIR_ROOT"])
        with open_sqlite(root / f"{site}.sqlite", write=write, busy_timeout=busy_timeout) as store:
            yield store


@hookimpl
def checkengine_register_store_backends(register: Callable[[StoreBackend], None]) -> None:
    register(SiteDirBackend())
