"""Findings: problems found in rulebooks, waivers or tests, as data for the lint reporters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from checkengine.errors import Location, UserError

Level = Literal["error", "warning"]

# Codes are a public contract: documented in docs/lint.md, never reused for another meaning.
CODES: dict[str, str] = {
    "CE100": "the file cannot be read or is not valid YAML",
    "CE101": "the file does not match its schema",
    "CE102": "extends: a missing parent rulebook or a cycle",
    "CE201": "a rule id is used twice in the merged rulebook",
    "CE202": "a reference to a parameter that does not exist, or has no value on a date",
    "CE203": "an unknown check type, or check parameters that type does not accept",
    "CE204": "a translation is missing for a declared language",
    "CE205": "effective dates are inverted (from after until)",
    "CE206": "effective dates of two versions of a rule overlap",
    "CE207": "a citation of a clause that is not in the sources catalogue",
    "CE208": "a condition (CEL) that does not parse",
    "CE209": "an override names a rule or parameter the parent does not have",
    "CE210": "a sources clause id is defined twice",
    "CE211": "a scoring method that no installed plugin provides",
    "CE212": "a follow_up's due parameter does not exist or holds no whole number of days",
    "CE213": "a schedule that cannot be used: a bad RRULE, count parameter or clause",
    "CE214": "follow-up questions or a required corrective action on a rule without a failing answer",
    "CE301": "a waiver has expired",
    "CE302": "a waiver names a rule that does not exist",
    "CE303": "a waiver's dates are inverted (granted after it expires)",
    "CE401": "a rulebook test is malformed or names an unknown rule",
    "CE402": "a rulebook test failed",
}

# Findings with these codes mean the input is unusable (exit 2), not merely wrong (exit 1).
UNUSABLE = {"CE100", "CE101", "CE102"}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    location: Location
    level: Level = "error"

    @property
    def unusable(self) -> bool:
        return self.code in UNUSABLE

    def text(self) -> str:
        """``file:line:col: CODE field.path: message``, the form editors and CI logs link up."""
        loc = self.location
        where = Location(loc.file, loc.line, loc.column).prefix()
        field = f"{loc.path}: " if loc.path else ""
        return f"{where}{self.code} {field}{self.message}"

    @classmethod
    def from_error(cls, code: str, err: UserError) -> "Finding":
        """A finding for *err*: under its own code if it has one, else under *code*."""
        return cls(getattr(err, "code", code), err.bare_message, err.location)

    def as_error(self) -> UserError:
        return CodedError(self.code, f"{self.message} [{self.code}]", self.location)


class CodedError(UserError):
    """Unusable input that lint reports under a known finding code (CE100 unreadable, ...)."""

    def __init__(self, code: str, message: str, location: Location | None = None) -> None:
        super().__init__(message, location)
        self.code = code

    @classmethod
    def wrap(cls, code: str, err: UserError) -> "CodedError":
        """*err* under *code*, unless it already has a code of its own."""
        if isinstance(err, CodedError):
            return err
        return cls(code, err.bare_message, err.location)
