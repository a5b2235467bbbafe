"""The merged rulebook as the engine sees it."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from typing import Any, Iterator

from checkengine.errors import Location

Text = str | dict[str, str]

SEVERITY_WEIGHTS = {"critical": 5.0, "major": 3.0, "minor": 1.0, "info": 0.0}


@dataclass(frozen=True)
class ParamValue:
    """A parameter's value in force on a date, with the date it took effect and its reference."""

    name: str
    value: Any
    since: str
    reference: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "since": self.since, "reference": self.reference}


@dataclass
class Parameter:
    name: str
    description: Text
    unit: str | None
    values: dict[str, dict[str, Any]]
    location: Location = field(default_factory=Location)

    def __post_init__(self) -> None:
        self._dates = sorted(self.values)

    def at(self, on: date | None) -> ParamValue | None:
        """The value in force on *on* (the newest one when *on* is None); None before the first."""
        if not self._dates:
            return None
        if on is None:
            i = len(self._dates)
        else:
            i = bisect.bisect_right(self._dates, on.isoformat())
        if i == 0:
            return None
        since = self._dates[i - 1]
        entry = self.values[since]
        return ParamValue(self.name, entry.get("value"), since, entry.get("reference"))


@dataclass(frozen=True)
class Declared:
    """A rulebook-level declaration (``follow_up``, a schedule) with the file and field path it
    was written at, so that a mistake in it can be pointed at (file:line:column)."""

    raw: dict[str, Any]
    file: str
    path: tuple[str | int, ...]


@dataclass(frozen=True)
class Clause:
    id: str
    document: str
    number: str
    text: str
    translations: dict[str, str]
    document_title: Text = ""

    def as_dict(self) -> dict[str, Any]:
        return {"clause": self.id, "document": self.document, "number": self.number, "text": self.text}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bound(value: Any) -> date | None | bool:
    """An effective date as a date, None for none, False when it is not a plain ISO date string."""
    if not value:
        return None
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return False
    return False


@dataclass
class Rule:
    id: str
    section: str
    title: Text
    check: dict[str, Any]
    sources: list[str]
    raw: dict[str, Any]
    description: Text | None = None
    severity: str = "major"
    weight: float = 3.0
    applies_to: dict[str, list[str]] = field(default_factory=dict)
    when: str | None = None
    #: record fields the rule cannot be judged without (missing or null: needs_review)
    needs: tuple[str, ...] = ()
    evidence: dict[str, bool] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    effective_from: str | None = None
    effective_until: str | None = None
    corrective_action: Text | None = None
    location: Location = field(default_factory=Location)

    @property
    def critical(self) -> bool:
        return self.severity == "critical"

    def in_force(self, on: date | None) -> bool:
        if on is None:
            return True
        window = self._window
        if window is not None and type(on) is date:
            start, end = window
            return (start is None or on >= start) and (end is None or on <= end)
        day = on.isoformat()  # a bound that is not a plain ISO date: compared as written, as always
        if self.effective_from and day < self.effective_from:
            return False
        if self.effective_until and day > self.effective_until:
            return False
        return True

    def window(self) -> tuple[date | None, date | None] | None:
        """The effective dates as dates (None: open), or None when a bound is not a plain date."""
        return self._window

    @cached_property
    def _window(self) -> tuple[date | None, date | None] | None:
        """The effective dates as dates, so that a record's date is compared without being
        formatted; None when a bound is not a plain ``YYYY-MM-DD`` string (compared as written)."""
        start, end = _bound(self.effective_from), _bound(self.effective_until)
        if start is False or end is False:
            return None
        return start, end  # type: ignore[return-value]

    @classmethod
    def from_raw(cls, raw: dict[str, Any], section: str, location: Location) -> "Rule":
        severity = raw.get("severity", "major")
        src = raw["source"]
        items = src if isinstance(src, list) else [src]
        sources = [s["clause"] if isinstance(s, dict) else s for s in items]
        eff = raw.get("effective") or {}
        return cls(
            id=raw["id"],
            section=section,
            title=raw["title"],
            check=raw["check"],
            sources=sources,
            raw=raw,
            description=raw.get("description"),
            severity=severity,
            weight=float(raw.get("weight", SEVERITY_WEIGHTS[severity])),
            applies_to=dict(raw.get("applies_to") or {}),
            when=raw.get("when"),
            needs=tuple(raw.get("needs") or ()),
            evidence=dict(raw.get("evidence") or {}),
            tags=list(raw.get("tags") or []),
            effective_from=eff.get("from"),
            effective_until=eff.get("until"),
            corrective_action=raw.get("corrective_action"),
            location=location,
        )


@dataclass
class Section:
    id: str
    title: Text | None
    description: Text | None
    weight: float | None
    rules: list[Rule] = field(default_factory=list)


@dataclass
class Rulebook:
    id: str
    version: str
    title: Text
    languages: list[str]
    description: Text | None
    parameters: dict[str, Parameter]
    sections: list[Section]
    clauses: dict[str, Clause]
    scoring: dict[str, Any]
    disabled: dict[str, Text]
    files: list[str]
    merged: dict[str, Any]
    #: see :attr:`digest`
    computed_digest: str = field(default="", repr=False)
    #: facts from other records that rules may look up (checkengine.lookups), by name
    lookups: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    #: who follows up failed outcomes, and by when (rules may declare their own)
    follow_up: Declared | None = None
    #: what must be done how often (checkengine.schedules)
    schedules: list[Declared] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """The content digest of :attr:`merged` (``sha256:...``), computed when first asked for:
        ``lint`` never asks (it was a twentieth of linting a 1,000-rule book)."""
        if not self.computed_digest:
            from checkengine.rulebook.load import digest

            self.computed_digest = digest(self.merged)
        return self.computed_digest

    @digest.setter
    def digest(self, value: str) -> None:
        self.computed_digest = value

    def rules(self) -> Iterator[Rule]:
        for section in self.sections:
            yield from section.rules

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules():
            if r.id == rule_id:
                return r
        return None

    def section(self, section_id: str) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None

    @property
    def source_language(self) -> str:
        return self.languages[0]
