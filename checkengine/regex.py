"""Regular expressions from rulebooks, run by RE2: time linear in the text, whatever the pattern.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes exponential time on a record
value of thirty letters. RE2 (Google's engine, through the ``google-re2`` bindings) never
backtracks; it does not support backreferences (``\\1``) or look-around (``(?=``, ``(?<=``), which
is what makes it linear. Patterns are limited in length (CHECKENGINE_MAX_PATTERN_CHARS) and in the
memory RE2 may use to compile them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from checkengine import limits

MAX_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern (its default is 8 MB too)


class PatternError(ValueError):
    """A pattern that RE2 cannot (or may not) compile; the message says why and what to do."""


@lru_cache(maxsize=1024)
def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the error comes back as an exception; RE2's log would go to stderr
    options.max_mem = MAX_MEMORY
    return options


def compile_pattern(pattern: str) -> Any:
    """The compiled pattern; a :class:`PatternError` saying why it cannot be used."""
    cap = limits.PATTERN_CHARS.get()
    if len(pattern) > cap:
        raise PatternError(f"the pattern is {len(pattern):,} characters long; the limit is {cap:,} "
                           f"({limits.PATTERN_CHARS.env})")
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) \
            else str(exc)
        hint = ""
        if "escape sequence" in reason or "perl operator" in reason:
            hint = (" (backreferences such as \\1 and look-around such as (?=...) are not supported: "
                    "patterns run in linear time)")
        elif "too large" in reason or "memory" in reason:
            hint = " (the pattern is too large for the linear-time engine: simplify it)"
        raise PatternError(f"the pattern is not a valid regular expression: {reason}{hint}") from None
