"""Small helpers shared by the subcommands: option types and safe output files."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal

import click

# The safe output file lives in the library (checkengine.output); the commands import it from here.
from checkengine.output import is_special as is_special, open_output as open_output, output_error as output_error


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


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange that also refuses nan and inf (a range check lets nan through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


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



def echo_left_out(rulebook: str, left_out: dict[str, int]) -> None:
    """Say on stderr which records a run over folders left out because the rulebook does not
    check their kind: they have no verdict, and a reader of the results must not take them for
    passed or forgotten."""
    total = sum(left_out.values())
    if not total:
        return
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(left_out.items()))
    click.echo(f"checkengine: {total} record{'s' if total != 1 else ''} of kinds that {rulebook} does not check "
               f"{'were' if total != 1 else 'was'} left out ({kinds})", err=True)


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
