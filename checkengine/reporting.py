"""Reporters: an evaluation result (``result.schema.json``) rendered for people or machines.

Deprecated in favour of sinks (:mod:`checkengine.sinks`, ``checkengine_register_sinks``), which
stream. A reporter still works everywhere an evaluation sink does: the registry adapts it into a
sink that collects the run and calls :meth:`Reporter.render` at the end.
"""

from __future__ import annotations

from typing import Any, ClassVar, TextIO


class Reporter:
    """Renders results. ``name`` is what ``--format`` takes."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:  # pragma: no cover
        raise TypeError("reporters implement render()")

    def render_runs(self, results: list[dict[str, Any]], out: TextIO, *, verbose: bool = False) -> None:
        """Several runs in one output (``archive query``). Formats that can hold only one run
        render a single run and refuse more, naming the formats that can."""
        if len(results) == 1:
            self.render(results[0], out, verbose=verbose)
            return
        from checkengine.errors import UserError

        raise UserError(f"--format {self.name} holds one run, and the selection spans {len(results)} runs; "
                        "narrow it (--period, --rule ...) or choose a format that holds several "
                        "(oscal, hdf, json)")
