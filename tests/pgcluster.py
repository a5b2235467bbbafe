"""A throw-away PostgreSQL cluster for the tests: initdb in a temporary folder, listening on a
Unix socket there only (no TCP port), stopped and removed at the end of the session.

initdb refuses to run as root, so as root the server runs as the unprivileged ``postgres`` user
(which Debian's ``postgresql`` package creates), owning the folder; the tests connect as the
cluster's superuser ``checkengine`` over the socket (trust authentication: nothing but this
machine's users can reach the socket, and the folder is the server user's alone).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SUPERUSER = "checkengine"
SERVER_USER = "postgres"


class Unavailable(Exception):
    """PostgreSQL's server cannot be run here (the reason says why)."""


def server_bin() -> Path:
    """The folder of initdb and pg_ctl (the newest installed version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: [int(x) for x in Path(p).parent.parent.name.split(".") if x.isdigit()])
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise Unavailable("PostgreSQL's server (initdb, pg_ctl) is not installed; `make setup` as root installs "
                      "Debian's postgresql package (scripts/system-deps.sh), or install it yourself")


class Cluster:
    def __init__(self) -> None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise Unavailable("psycopg is not installed (pip install -e '.[test]')") from None
        self.bin = server_bin()
        self.run_as: dict[str, Any] = {}
        self.root = Path(tempfile.mkdtemp(prefix="checkengine-pg-"))
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise Unavailable(f"running as root, and there is no {SERVER_USER!r} user to run the server "
                                  "as (initdb refuses root); install Debian's postgresql package") from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        self.data = self.root / "data"
        self.names = itertools.count(1)
        self.started = False

    def _run(self, *args: str) -> None:
        done = subprocess.run(args, cwd=self.root, capture_output=True, text=True, **self.run_as)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}{tail}")

    def start(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--no-locale", "--no-sync")
        settings = (f"-c listen_addresses='' -c unix_socket_directories='{self.root}' -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", settings, "-w", "-t", "60", "start")
        self.started = True

    def stop(self) -> None:
        try:
            if self.started:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={self.root}"

    def admin(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(sql)

    def new_database(self) -> str:
        """The URL of a new, empty database."""
        name = f"archive_{next(self.names)}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)
