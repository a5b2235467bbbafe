"""Reporters: an evaluation result (``result.schema.json``) rendered for people or machines."""

from __future__ import annotations

from typing import Any, ClassVar, TextIO


class Reporter:
    """Renders results. ``name`` is what ``--format`` takes."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:  # pragma: no cover
        raise TypeError("reporters implement render()")
