"""Rulebook unit tests (``checkengine test``): records, a date, and each rule's expected outcome.

Like ``opa test`` and openfisca's YAML tests. A test passes when every rule named in ``expect``
gave exactly that outcome for every record (and aggregate group) of the test; ``absent`` means the
rule gave no outcome at all. Coverage counts, per rule, whether some test expects it to pass and
some test expects it to fail.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from checkengine import validation
from checkengine.errors import Location, UserError
from checkengine.findings import Finding
from checkengine.plugins import Registry, default_registry
from checkengine.records import Record, RecordError, check_record, iter_records
from checkengine.inputs import display_path
from checkengine.rulebook.load import load_rulebook
from checkengine.rulebook.model import Rulebook
from checkengine.yamlio import Document, load_file


@dataclass
class CaseResult:
    file: str
    name: str
    location: Location
    passed: bool
    problems: list[str] = field(default_factory=list)
    # The rules whose outcome was not the one expected (their lines are where CI annotates).
    rules: list[str] = field(default_factory=list)
    rulebook: str = ""


@dataclass
class SuiteResult:
    cases: list[CaseResult] = field(default_factory=list)
    # rulebook path -> rule id -> set of outcomes some passing-or-failing test expected
    expected: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    books: dict[str, Rulebook] = field(default_factory=dict)

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    def coverage(self) -> list[dict[str, Any]]:
        rows = []
        for key, book in self.books.items():
            seen = self.expected.get(key, {})
            for rule in book.rules():
                outcomes = seen.get(rule.id, set())
                rows.append({"rulebook": book.id, "rule": rule.id, "pass": "pass" in outcomes,
                             "fail": "fail" in outcomes, "file": rule.location.file,
                             "line": rule.location.line})
        return rows

    def rule_location(self, rulebook: str, rule_id: str) -> Location | None:
        """Where *rule_id* of the rulebook (a key of ``books``) is defined, if it is."""
        book = self.books.get(rulebook)
        for rule in book.rules() if book else ():
            if rule.id == rule_id:
                return rule.location
        return None

    def coverage_percent(self) -> float:
        rows = self.coverage()
        if not rows:
            return 100.0
        return 100.0 * sum(1 for r in rows if r["pass"] and r["fail"]) / len(rows)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _unset(data: dict[str, Any], dotted: str) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data.get(part)  # type: ignore[assignment]
        if not isinstance(data, dict):
            return
    data.pop(parts[-1], None)


def suites(paths: list[str]) -> Iterator[tuple[Path, Document]]:
    """Each test file (kind: tests) in *paths*, parsed and validated. Other YAML that does not
    parse is passed over; a ``*.test.yaml`` or ``*.tests.yaml`` file that does not is reported."""
    from checkengine.lint.discover import classify, yaml_files

    for path in yaml_files(paths):
        try:
            doc = load_file(path, display=display_path(path))
        except UserError:
            if path.name.endswith((".test.yaml", ".tests.yaml")):
                raise
            continue
        if classify(doc.data) == "tests":
            validation.validate("tests", doc)
            yield path, doc


def _load_suite(path: Path) -> Document:
    doc = load_file(path, display=display_path(path))
    validation.validate("tests", doc)
    return doc


def lint_test_file(path: Path) -> Iterator[Finding]:
    """Lint view: schema, the rulebook exists, every expected rule exists."""
    doc = _load_suite(path)
    book_path = (path.parent / doc.data["rulebook"]).resolve()
    try:
        book = load_rulebook(book_path, strict=False)
    except UserError as exc:
        yield Finding("CE401", f"the rulebook under test cannot be loaded: {exc}", doc.location(("rulebook",)))
        return
    # A rule an overlay disables may be expected to be `absent`.
    ids = {r.id for r in book.rules()} | set(book.disabled)
    for i, case in enumerate(doc.data["tests"]):
        for rid in case.get("expect") or {}:
            if rid not in ids:
                yield Finding("CE401", f"expects an outcome of rule '{rid}', which the rulebook '{book.id}' "
                              "does not have", doc.location(("tests", i, "expect", rid), key=True))


def run_tests(paths: list[str], *, registry: Registry | None = None) -> SuiteResult:
    from checkengine.engine import Engine
    from checkengine.waivers import load_waivers

    registry = registry or default_registry()
    suite = SuiteResult()
    for path, doc in suites(paths):
        book_path = (path.parent / doc.data["rulebook"]).resolve()
        key = str(book_path)
        if key not in suite.books:
            suite.books[key] = load_rulebook(book_path)
        book = suite.books[key]
        waivers = load_waivers(path.parent / doc.data["waivers"]) if doc.data.get("waivers") else []
        expected = suite.expected.setdefault(key, {})
        defaults = doc.data.get("defaults") or {}
        # Compiling the rulebook is most of a case's cost: one engine per language and date.
        engines: dict[tuple[str | None, date | None], Engine] = {}
        for i, case in enumerate(doc.data["tests"]):
            where = doc.location(("tests", i))
            on = date.fromisoformat(case["on"]) if case.get("on") else None
            lang = case.get("lang")
            engine = engines.get((lang, on))
            if engine is None:
                engine = engines[(lang, on)] = Engine(book, registry=registry, lang=lang, on=on, waivers=waivers)
            items: list[Record | RecordError] = []
            if "files" in case:
                items.extend(iter_records([str(path.parent / f) for f in case["files"]], registry))
            raw_records = [case["record"]] if "record" in case else case.get("records") or []
            field_name = "record" if "record" in case else "records"
            for j, raw in enumerate(raw_records):
                data = _deep_merge(defaults, raw)
                for dotted in case.get("unset") or []:
                    _unset(data, dotted)
                sub = ("tests", i, field_name) + ((j,) if field_name == "records" else ())
                items.append(check_record(data, doc.location(sub)))
            result = engine.run(items)
            problems = _compare(case, result)
            for rid, outcome in (case.get("expect") or {}).items():
                expected.setdefault(rid, set()).add(outcome)
            wrong = [rid for rid in (case.get("expect") or {}) if any(p.startswith(f"{rid}: ") for p in problems)]
            suite.cases.append(CaseResult(doc.file, case["name"], where, not problems, problems, wrong, key))
    return suite


def _compare(case: dict[str, Any], result: dict[str, Any]) -> list[str]:
    problems = []
    errors = result["errors"]
    if "expect_error" in case:
        want = case["expect_error"]
        if not any(want in e["message"] for e in errors):
            seen = "; ".join(e["message"] for e in errors) or "no error"
            problems.append(f"expected the record to be refused with '{want}', got: {seen}")
    elif errors:
        problems.extend(f"record refused: {e.get('path') or ''}: {e['message']}" for e in errors)
    outcomes: dict[str, list[tuple[str, str]]] = {}
    for entry in result["records"]:
        for o in entry["outcomes"]:
            outcomes.setdefault(o["rule"], []).append((o["outcome"], o["explanation"]))
    for o in result["groups"]:
        outcomes.setdefault(o["rule"], []).append((o["outcome"], o["explanation"]))
    for rid, want in (case.get("expect") or {}).items():
        got = outcomes.get(rid, [])
        if want == "absent":
            if got:
                problems.append(f"{rid}: expected no outcome, got {', '.join(g for g, _ in got)}")
            continue
        if not got:
            problems.append(f"{rid}: expected {want}, but the rule gave no outcome (does it apply to "
                            "these records' kind?)")
            continue
        wrong = [(g, why) for g, why in got if g != want]
        if wrong:
            g, why = wrong[0]
            problems.append(f"{rid}: expected {want}, got {g} ({why})")
    return problems
