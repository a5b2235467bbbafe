"""Lint: every problem in the given rulebooks, catalogues, waivers and tests, as findings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from checkengine import validation
from checkengine.errors import Location, UserError
from checkengine.findings import Finding
from checkengine.lint import rulebook_checks
from checkengine.lint.discover import FileKind, classify, yaml_files
from checkengine.plugins import Registry, default_registry
from checkengine.inputs import display_path
from checkengine.rulebook.load import RulebookLoader
from checkengine.yamlio import Document, load_file, parse_path


@dataclass
class LintReport:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings, 2 some input is unusable (unreadable, invalid YAML, schema)."""
        if any(f.unusable for f in self.findings):
            return 2
        return 1 if any(f.level == "error" for f in self.findings) else 0


_SCHEMA_OF: dict[FileKind, str] = {"rulebook": "rulebook", "sources": "sources", "waivers": "waivers",
                                   "tests": "tests"}


def lint_paths(paths: Iterable[str | Path], *, registry: Registry | None = None,
               today: date | None = None) -> LintReport:
    registry = registry or default_registry()
    today = today or date.today()
    report = LintReport()
    parsed: dict[Path, Document] = {}
    kinds: dict[FileKind, list[Path]] = {"rulebook": [], "waivers": [], "tests": [], "sources": []}
    for path in yaml_files(paths):
        shown = display_path(path)
        report.files.append(shown)
        try:
            doc = load_file(path, display=shown)
        except UserError as exc:
            report.findings.append(Finding.from_error("CE100", exc))
            continue
        kind = classify(doc.data)
        if not isinstance(doc.data, dict):
            got = "a list" if isinstance(doc.data, list) else "a single value"
            report.findings.append(Finding(
                "CE101",
                f"the file holds {got}, not a mapping; a checkengine file is a mapping of keys "
                "that starts with 'checkengine: 1'",
                Location(shown, 1, 1),
            ))
            continue
        if kind == "unknown":
            report.findings.append(Finding(
                "CE101",
                "not a checkengine file: expected a rulebook (checkengine: 1 with id, languages and "
                "sections), or a file with kind: sources, waivers or tests",
                Location(shown, 1, 1),
            ))
            continue
        # Every schema violation of the file at once, so an author fixes them in one round;
        # the checks that need a valid file (merging, references) then skip it.
        problems = validation.errors(_SCHEMA_OF[kind], doc)
        if problems:
            report.findings.extend(Finding.from_error("CE101", p) for p in problems)
            continue
        kinds[kind].append(path)
        parsed[path.resolve()] = doc
    loader = RulebookLoader(parsed)
    for path in kinds["sources"]:
        _guarded(report, partial(_lint_sources, path, loader))
    rule_ids: set[str] = set()
    for path in kinds["rulebook"]:
        rule_ids |= _lint_rulebook(path, loader, registry, report)
    from checkengine.lint.waiver_checks import lint_waivers

    known = rule_ids if kinds["rulebook"] else None
    for path in kinds["waivers"]:
        report.findings.extend(_guarded(report, partial(_listed, lint_waivers, path, known, today)))
    if kinds["tests"]:
        from checkengine.ruletests import lint_test_file

        for path in kinds["tests"]:
            report.findings.extend(_guarded(report, partial(_listed, lint_test_file, path)))
    report.findings = _dedupe(report.findings)
    return report


def _lint_rulebook(path: Path, loader: RulebookLoader, registry: Registry, report: LintReport) -> set[str]:
    """Lint one rulebook (with everything it extends); the ids of its rules."""
    from checkengine.engine import Engine

    before = len(loader.findings)
    try:
        book = loader.load(path)
    except UserError as exc:
        report.findings.append(Finding.from_error("CE101", exc))
        return set()
    report.findings.extend(loader.findings[before:])
    docs = {name: loader.document(Path(name), "rulebook") for name in book.files}
    checked: list[Finding] = []
    for doc in docs.values():
        checked.extend(rulebook_checks.missing_translations(doc))
    checked.extend(rulebook_checks.effective_dates(book))
    checked.extend(rulebook_checks.citations(book))
    checked.extend(rulebook_checks.failing_answer_requirements(book, registry))
    checked.extend(rulebook_checks.parameter_references(book))
    # Follow-ups and schedules are checked by their own modules, imported for a book that has them.
    if book.follow_up is not None or any(rule.raw.get("follow_up") for rule in book.rules()):
        from checkengine.actions.followup import follow_up_findings

        checked.extend(follow_up_findings(book))
    if book.schedules:
        from checkengine.schedules.model import schedule_findings

        checked.extend(schedule_findings(book))
    try:
        Engine(book, registry=registry, collect=checked)
    except UserError as exc:
        checked.append(Finding.from_error("CE203", exc))
    method = book.scoring.get("method", "weighted")
    if method not in registry.scorers:
        from checkengine.plugin_hints import missing_scorer

        checked.append(Finding.from_error("CE211", missing_scorer(book, str(method), list(registry.scorers))))
    report.findings.extend(rulebook_checks.tidy_condition_error(_relocate(f, docs)) for f in checked)
    return {r.id for r in book.rules()} | set(book.disabled)


def _listed(fn: Callable[..., Iterable[Finding]], *args: Any) -> list[Finding]:
    return list(fn(*args))


def _lint_sources(path: Path, loader: RulebookLoader) -> list[Finding]:
    """A sources catalogue on its own: its schema (clause ids are checked when a rulebook merges it)."""
    loader.document(path, "sources")
    return []


def _relocate(finding: Finding, docs: dict[str, Document]) -> Finding:
    """Point a finding at its field: checks of the merged book know the rule, not the line."""
    loc = finding.location
    doc = docs.get(loc.file or "")
    if doc is None or not loc.path:
        return finding
    exact = doc.location(parse_path(loc.path))
    return replace(finding, location=Location(loc.file, exact.line, exact.column, loc.path))


def _guarded(report: LintReport, fn: Callable[[], list[Finding]]) -> list[Finding]:
    """Run one file's checks; a file that turns out unusable becomes a finding (CE101 by default:
    the file already parsed as YAML when it was classified)."""
    try:
        return fn()
    except UserError as exc:
        report.findings.append(Finding.from_error("CE101", exc))
        return []


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.code, f.message, f.location)
        if key not in seen:
            seen.add(key)
            out.append(f)
    out.sort(key=lambda f: (f.location.file or "", f.location.line or 0, f.location.column or 0, f.code))
    return out
