"""Small helpers shared by the subcommands: option types and safe output files."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal, TextIO

import click

from checkengine.errors import Location, UserError


if TYPE_CHECKING:
    from checkengine.batch.job import EngineSpec

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


def engine_spec(rulebook: str, waiver_files: Iterable[str], *, lang: str | None, on: date | None,
                paths: Iterable[str] = ()) -> EngineSpec:
    """The rulebook and the waivers files of ``batch`` and ``archive add``, loaded into a spec.

    Records of a kind the rulebook does not check are an error, unless *paths* include a folder
    (see :func:`other_kinds`)."""
    from checkengine.batch.job import EngineSpec
    from checkengine.bundle.unpack import rulebook_path
    from checkengine.rulebook.load import load_rulebook
    from checkengine.waivers import load_waivers

    book = load_rulebook(rulebook_path(rulebook))  # a rulebook, or a bundle of one
    waivers = tuple(w for path in waiver_files for w in load_waivers(path))
    return EngineSpec(book, lang=lang, on=on, waivers=waivers, other_kinds=other_kinds(paths))


def other_kinds(paths: Iterable[str]) -> Literal["error", "skip"]:
    """A run over a folder leaves out the records of kinds the rulebook does not check (a month's
    folder holds every kind, for many rulebooks); records named one by one must all be checked."""
    return "skip" if any(Path(p).is_dir() for p in paths) else "error"


_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space or write elsewhere (-o)",
    errno.EDQUOT: "the disk quota is exhausted; free some space or write elsewhere (-o)",
    errno.EROFS: "the folder is on a read-only file system; write elsewhere (-o)",
    errno.EACCES: "permission denied; write to a folder you may write to (-o)",
    errno.EPERM: "permission denied; write to a folder you may write to (-o)",
}


def output_error(target: str, exc: OSError) -> UserError:
    """One message for a failed write: the file, the cause, what to do, and that nothing was left."""
    advice = _ADVICE.get(exc.errno or 0, f"{exc.strerror or exc}; write elsewhere (-o)")
    return UserError(f"cannot write the output: {advice}; no partial output was left", Location(target))


def is_special(path: Path) -> bool:
    """True for an existing target that is not a regular file or folder (a device, a FIFO)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None, *, binary: bool = False,
                mode: int | None = None) -> Iterator[Any]:
    """Write to *path* through a temporary file renamed into place on success, or to stdout.

    An interrupted or failed run leaves no half-written file behind. A target that is a device
    or a FIFO (``-o /dev/null``) is written directly: renaming a file over it would replace the
    device itself. The file gets the permissions a plain ``open`` would give it (umask), or *mode*
    (0o600 for a private key), set on the temporary file before it takes the target's name.
    """
    if path is None or str(path) == "-":
        # sys.stdout at call time, so that click's test runner can capture it.
        stream: Any = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    if is_special(target):
        with (open(target, "wb") if binary else open(target, "w", encoding="utf-8", newline="\n")) as direct:
            yield direct
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError("the output folder does not exist; create it first", Location(str(target)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise output_error(str(target), exc) from None
    try:
        # A binary handle when *binary*, as for stdout above.
        handle: Any = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists() and not target.is_file():
            raise UserError("it exists and is not a file; choose another output", Location(str(target)))
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def shown_on_stdout(fmt: str, output: str | None) -> bool:
    """True when the report is text for people on stdout (it already lists the problems)."""
    return fmt in ("text", "summary") and output in (None, "-")


def echo_unusable(errors: list[dict[str, Any]], total: int | None = None, *, shown: int = 10,
                  listed: bool = False) -> None:
    """Name the unusable records on stderr, where they are and why (the exit code 2 says only
    that some were); the report itself may be in a file or in a format nobody reads in a log.
    When the report on stdout already *listed* them, one line points at the first."""
    from checkengine.builtin.reporters import error_line

    total = len(errors) if total is None else total
    if not total:
        return
    if listed and errors:
        first = error_line(errors[0]).split(": error:")[0]
        click.echo(f"checkengine: {total} unusable record{'s' if total != 1 else ''}, the first at {first} "
                   "(listed in the report)", err=True)
        return
    click.echo(f"checkengine: {total} unusable record{'s' if total != 1 else ''} (the others were evaluated):",
               err=True)
    for err in errors[:shown]:
        click.echo("  " + error_line(err), err=True)
    if total > min(shown, len(errors)):
        click.echo(f"  ... and {total - min(shown, len(errors))} more (see the report)", err=True)
