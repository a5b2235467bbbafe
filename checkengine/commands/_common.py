"""Small helpers shared by the subcommands: option types and safe output files."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, TextIO

import click

from checkengine.errors import Location, UserError


if TYPE_CHECKING:
    # click types ParamType by the value it converts to; the clicks the dependency still
    # allows (8.1) cannot subscript it at run time, hence the alias for the checker only.
    _DateParamType = click.ParamType[date]
else:
    _DateParamType = click.ParamType


class DateType(_DateParamType):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a date; use YYYY-MM-DD (e.g. 2026-11-03)", param, ctx)


DATE = DateType()


@contextlib.contextmanager
def open_output(path: str | None, *, binary: bool = False) -> Iterator[TextIO]:
    """Write to *path* through a temporary file renamed into place on success, or to stdout.

    An interrupted or failed run leaves no half-written file behind.
    """
    if path in (None, "-"):
        # sys.stdout at call time, so that click's test runner can capture it.
        stream: Any = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError("the output folder does not exist; create it first", Location(str(target)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UserError(f"cannot write here: {exc.strerror}", Location(str(target))) from None
    try:
        # A binary handle when *binary*, as for stdout above.
        handle: Any = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
