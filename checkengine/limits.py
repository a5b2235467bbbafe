"""Every bound on work or size that input controls, with its default and its environment variable.

A limit is read when it is used, so a test (or an embedding application) can change it with the
environment variable at any time. docs/limits.md lists them all; a test keeps the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from checkengine.errors import UserError


@dataclass(frozen=True)
class Limit:
    """One limit: its variable, its default, and what it bounds (for messages and docs)."""

    env: str
    default: int
    what: str
    unit: str = ""

    def get(self) -> int:
        raw = os.environ.get(self.env)
        if raw is None or not raw.strip():
            return self.default
        try:
            value = int(raw.strip().replace("_", ""))
        except ValueError:
            raise UserError(f"{self.env}={raw!r}: expected a whole number (the default is "
                            f"{self.default})") from None
        if value < 1:
            raise UserError(f"{self.env}={raw!r}: must be at least 1 (the default is {self.default})")
        return value

    def hint(self) -> str:
        """How to change it, for the end of a message."""
        return f"raise the limit with {self.env}"


MB = 1024 * 1024

YAML_BYTES = Limit("CHECKENGINE_MAX_YAML_BYTES", 10 * MB, "size of one YAML or JSON document", "bytes")
YAML_VALUES = Limit("CHECKENGINE_MAX_YAML_VALUES", 1_000_000,
                    "values built from one YAML document, aliases expanded", "values")
NESTING = Limit("CHECKENGINE_MAX_NESTING", 100, "nesting depth of mappings and lists in one document",
                "levels")
LINE_BYTES = Limit("CHECKENGINE_MAX_LINE_BYTES", 1 * MB, "size of one JSON Lines line or CSV row",
                   "bytes")
FIELD_BYTES = Limit("CHECKENGINE_MAX_FIELD_BYTES", 128 * 1024, "size of one CSV cell", "bytes")
OPTION_CHARS = Limit("CHECKENGINE_MAX_OPTION_CHARS", 4096,
                     "length of a structured command-line option (--subject)", "characters")
OPTION_VALUES = Limit("CHECKENGINE_MAX_OPTION_VALUES", 1000,
                      "values built from a structured command-line option, aliases expanded", "values")
SMALL_FILE_BYTES = Limit("CHECKENGINE_MAX_KEY_BYTES", 1 * MB,
                         "size of a key, certificate or password file", "bytes")
PDF_BYTES = Limit("CHECKENGINE_MAX_PDF_BYTES", 100 * MB, "size of a PDF given as input", "bytes")
PDF_STREAM_BYTES = Limit("CHECKENGINE_MAX_PDF_STREAM_BYTES", 50 * MB,
                         "decoded size of one stream inside an input PDF", "bytes")
PHOTO_PIXELS = Limit("CHECKENGINE_MAX_PHOTO_PIXELS", 40_000_000,
                     "pixels of one evidence photo (width x height)", "pixels")
TEXT_CHARS = Limit("CHECKENGINE_MAX_TEXT_CHARS", 4000,
                   "length of one free-text value of a record printed on a form", "characters")
CEL_COST = Limit("CHECKENGINE_MAX_CEL_COST", 1_000_000,
                 "estimated steps of one condition on one record (list sizes to the power of the "
                 "nesting of list macros)", "steps")
EXPRESSION_CHARS = Limit("CHECKENGINE_MAX_EXPRESSION_CHARS", 4000, "length of one CEL condition",
                         "characters")
PATTERN_CHARS = Limit("CHECKENGINE_MAX_PATTERN_CHARS", 1000,
                      "length of one regular expression of a `matches` check", "characters")

ALL = (YAML_BYTES, YAML_VALUES, NESTING, LINE_BYTES, FIELD_BYTES, OPTION_CHARS, OPTION_VALUES,
       SMALL_FILE_BYTES, PDF_BYTES, PDF_STREAM_BYTES, PHOTO_PIXELS, TEXT_CHARS, CEL_COST,
       EXPRESSION_CHARS, PATTERN_CHARS)

# Integers the engine and CEL handle: CEL's int is a signed 64-bit integer.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def size_text(n: int) -> str:
    """``1.5 MB``, ``12 KB`` or ``300 bytes``."""
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
