"""The verdict of ``verify`` as data: every check with pass/fail and its problems, as text or JSON."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Check:
    """One check of the verdict: its name, whether it passed, and why not (one sentence each)."""

    name: str
    problems: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class SignatureReport:
    field: str
    signer: str
    subject: str
    signing_time: str | None
    timestamp_time: str | None  # the time in the signature's RFC 3161 timestamp token, if any
    timestamp_server: str | None  # the common name of the server that made the token
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification: str | None
    revision: int
    fingerprint: str = ""
    # dataclasses.field spelled out: in this class body, `field` is the attribute above.
    problems: list[str] = dataclasses.field(default_factory=list)
    # what a reader should know that does not make the signature invalid
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class EvaluationReport:
    checked: bool
    rulebook: str = ""
    digest: str = ""
    record: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.checked and not self.problems


@dataclass
class VerifyReport:
    path: str
    signatures: list[SignatureReport]
    evaluation: EvaluationReport
    checks: list[Check] = field(default_factory=list)
    countersigned: bool = False
    allow_missing_countersignature: bool = False
    # the form's embedded result.json as read for the checks (None when it cannot be read); not
    # part of the verdict, for the callers that export it (verify --format oscal)
    embedded_result: dict[str, Any] | None = None

    def check(self, name: str) -> Check:
        """The check *name*, added on first use."""
        for existing in self.checks:
            if existing.name == name:
                return existing
        made = Check(name)
        self.checks.append(made)
        return made

    @property
    def problems(self) -> list[str]:
        """Every problem of every check, each once, in the order found."""
        seen: dict[str, None] = {}
        for check in self.checks:
            for problem in check.problems:
                seen.setdefault(problem, None)
        return list(seen)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(c.passed for c in self.checks) and self.evaluation.ok

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "valid": self.ok,
            "countersigned": self.countersigned,
            "checks": [{"check": c.name, "passed": c.passed, "problems": list(c.problems)} for c in self.checks],
            "problems": self.problems,
            "signatures": [dict(asdict(s), ok=s.ok) for s in self.signatures],
            "evaluation": dict(asdict(self.evaluation), ok=self.evaluation.ok),
        }


def verdict(report: VerifyReport) -> str:
    if not report.ok:
        return "INVALID"
    if not report.countersigned:
        return "VALID, but NOT COUNTERSIGNED: the site manager has not signed (accepted with --allow-missing-countersignature)"
    return "VALID"


def format_text(report: VerifyReport) -> str:
    """The verdict, then one line per problem (all of them), then each signature and the result."""
    lines = [f"{report.path}: {verdict(report)}"]
    for problem in report.problems:
        lines.append(f"  problem: {problem}")
    for s in report.signatures:
        lines.extend(f"  note: signature '{s.field}': {note}" for note in s.notes)
    for s in report.signatures:
        when = s.timestamp_time or s.signing_time or "unknown time"
        stamp = f" (timestamped by {s.timestamp_server})" if s.timestamp_time else ""
        lines.append(
            f"  signature '{s.field}' by {s.signer} at {when}{stamp}: "
            f"{'ok' if s.ok else 'INVALID'} (intact: {'yes' if s.intact else 'no'}, "
            f"trusted: {'yes' if s.trusted else 'no'}, coverage: {s.coverage.lower().replace('_', ' ')})"
        )
    printed = next((c for c in report.checks if c.name == "printed rows"), None)
    if printed is not None and printed.passed and printed.detail:
        lines.append(f"  printed: {printed.detail}")
    e = report.evaluation
    if report.ok:
        lines.append(f"  result: re-evaluated record {e.record} against rulebook {e.rulebook} ({e.digest}): matches the form")
    elif not e.checked and not e.problems:
        lines.append("  result: not re-evaluated (the form could not be read)")
    elif e.ok:
        lines.append(f"  result: re-evaluating record {e.record} gives the embedded result, but the form is not "
                     "valid (see the problems above)")
    else:
        lines.append(f"  result: re-evaluation of record {e.record} against rulebook {e.rulebook}: MISMATCH")
    return "\n".join(lines)
