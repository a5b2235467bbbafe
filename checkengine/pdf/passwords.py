"""Key passwords: from a file, the environment, or an interactive prompt; never from argv.

Order: ``--password-file FILE`` (its first line), then ``CHECKENGINE_KEY_PASSWORD``, then a
hidden prompt when standard input is a terminal. Otherwise a UserError says how to give one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from checkengine import limits
from checkengine.errors import UserError
from checkengine.inputs import read_capped

ENV = "CHECKENGINE_KEY_PASSWORD"


def _from_file(path: str) -> bytes:
    raw = read_capped(Path(path), limits.SMALL_FILE_BYTES, what="password file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"the password file {path} is not UTF-8 text") from None
    line = text.splitlines()[0] if text else ""
    if not line:
        raise UserError(f"the password file {path} is empty")
    return line.encode("utf-8")


def provider(password_file: str | None, *, confirm: bool = False) -> Callable[[str], bytes]:
    """A callable ``(what) -> password bytes``, asked at most once (the answer is remembered)."""
    cache: dict[str, bytes] = {}

    def get(what: str) -> bytes:
        if "pw" in cache:
            return cache["pw"]
        if password_file:
            secret = _from_file(password_file)
        elif os.environ.get(ENV):
            secret = os.environ[ENV].encode("utf-8")
        elif sys.stdin is not None and sys.stdin.isatty():
            import click

            secret = click.prompt(
                f"Password for {what}", hide_input=True, confirmation_prompt=confirm, err=True
            ).encode("utf-8")
        else:
            raise UserError(
                f"{what} needs a password: set {ENV}, give --password-file FILE, or run in a "
                "terminal to be asked (passwords are never taken as command-line arguments)"
            )
        cache["pw"] = secret
        return secret

    return get
