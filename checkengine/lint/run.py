"""Lint: every problem in the given rulebooks, catalogues, waivers and tests, as findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from checkengine.errors import Location, UserError
from checkengine.findings import Finding
from checkengine.lint import rulebook_checks
from checkengine.lint.discover import classify, yaml_files
from checkengine.plugins import Registry, default_registry
from checkengine.rulebook.load import RulebookLoader, display_path
from checkengine.yamlio import load_file


@dataclass
class LintReport:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(f.unusable for f in self.findings):
            return 2
        return 1 if any(f.level == "error" for f in self.findings) else 0


def lint_paths(paths: Iterable[str | Path], *, registry: Registry | None = None,
               today: date | None = None) -> LintReport:
    registry = registry or default_registry()
    today = today or date.today()
    report = LintReport()
    loader = RulebookLoader()
    kinds: dict[str, list[Path]] = {"rulebook": [], "waivers": [], "tests": [], "sources": []}
    for path in yaml_files(paths):
        shown = display_path(path)
        report.files.append(shown)
        try:
            doc = load_file(path, display=shown)
        except UserError as exc:
            report.findings.append(Finding("CE100", exc.bare_message, exc.location))
            continue
        kind = classify(doc.data)
        if kind == "unknown":
            report.findings.append(Finding(
                "CE101",
                "not a checkengine file: expected a rulebook (with sections), or kind: sources, "
                "waivers or tests",
                Location(shown, 1, 1),
            ))
            continue
        kinds[kind].append(path)
    rule_ids: set[str] = set()
    for path in kinds["sources"]:
        _guard(report, lambda p=path: loader.document(p, "sources"))
    for path in kinds["rulebook"]:
        rule_ids |= _lint_rulebook(path, loader, registry, report)
    from checkengine.lint.waiver_checks import lint_waivers

    for path in kinds["waivers"]:
        report.findings.extend(_guarded(report, lambda p=path: list(
            lint_waivers(p, rule_ids if kinds["rulebook"] else None, today))))
    if kinds["tests"]:
        from checkengine.ruletests import lint_test_file

        for path in kinds["tests"]:
            report.findings.extend(_guarded(report, lambda p=path: list(lint_test_file(p))))
    report.findings = _dedupe(report.findings)
    return report


def _lint_rulebook(path: Path, loader: RulebookLoader, registry: Registry, report: LintReport) -> set[str]:
    from checkengine.engine import Engine

    before = len(loader.findings)
    try:
        book = loader.load(path)
        doc = loader.document(path, "rulebook")
    except UserError as exc:
        code = "CE102" if "extends" in exc.bare_message else ("CE100" if "YAML" in exc.bare_message
                                                             or "file" in exc.bare_message else "CE101")
        report.findings.append(Finding(code, exc.bare_message, exc.location))
        return set()
    report.findings.extend(loader.findings[before:])
    report.findings.extend(rulebook_checks.missing_translations(doc))
    report.findings.extend(rulebook_checks.effective_dates(book))
    report.findings.extend(rulebook_checks.citations(book))
    compile_findings: list[Finding] = []
    try:
        Engine(book, registry=registry, collect=compile_findings)
    except UserError as exc:
        report.findings.append(Finding("CE203", exc.bare_message, exc.location))
    report.findings.extend(compile_findings)
    return {r.id for r in book.rules()} | set(book.disabled)


def _guard(report: LintReport, fn: object) -> None:
    _guarded(report, fn)


def _guarded(report: LintReport, fn: object) -> list[Finding]:
    try:
        result = fn()  # type: ignore[operator]
    except UserError as exc:
        code = "CE100" if "YAML" in exc.bare_message or "file" in exc.bare_message else "CE101"
        report.findings.append(Finding(code, exc.bare_message, exc.location))
        return []
    return result if isinstance(result, list) else []


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
