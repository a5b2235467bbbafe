"""Small helpers shared by the subcommands: option types and safe output files."""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable

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


def engine_spec(rulebook: str, waiver_files: Iterable[str], *, lang: str | None, on: date | None) -> EngineSpec:
    """The rulebook and the waivers files of ``batch`` and ``archive add``, loaded into a spec."""
    from checkengine.batch.job import EngineSpec
    from checkengine.rulebook.load import load_rulebook
    from checkengine.waivers import load_waivers

    book = load_rulebook(rulebook)
    waivers = tuple(w for path in waiver_files for w in load_waivers(path))
    return EngineSpec(book, lang=lang, on=on, waivers=waivers)

