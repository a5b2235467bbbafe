"""Output formats of ``checkengine test``: text, json, junit, sarif and github.

A failed test is reported where a reviewer can act on it: on the line of each rule whose
outcome was not the one expected (in SARIF and GitHub annotations, as finding ``CE402``), or on
the test case itself when no single rule is to blame (a record refused, an expected refusal
that did not happen).
"""

from __future__ import annotations

import json
from typing import Callable, TextIO
from xml.etree import ElementTree as ET

from checkengine.errors import Location
from checkengine.findings import Finding
from checkengine.ruletests import CaseResult, SuiteResult


def findings(suite: SuiteResult) -> list[Finding]:
    """Each failed expectation as a CE402 finding on the rule's line (else on the test case)."""
    found = []
    for case in suite.failed:
        where = f"{case.location.file}:{case.location.line}" if case.location.line else case.location.file
        blamed = set()
        for rid in case.rules:
            loc = suite.rule_location(case.rulebook, rid)
            if loc is None or not loc.file:
                continue
            blamed.add(rid)
            for problem in (p for p in case.problems if p.startswith(f"{rid}: ")):
                found.append(Finding("CE402", f"test '{case.name}' ({where}): {problem}", loc))
        for problem in case.problems:
            if not any(problem.startswith(f"{rid}: ") for rid in blamed):
                found.append(Finding("CE402", f"test '{case.name}': {problem}", case.location))
    return found


def uncovered(suite: SuiteResult) -> list[Finding]:
    """A warning on each rule that lacks a passing or a failing test case."""
    out = []
    for row in suite.coverage():
        if row["pass"] and row["fail"]:
            continue
        lacking = " and ".join(k for k in ("pass", "fail") if not row[k])
        out.append(Finding("CE402", f"{row['rule']}: no {lacking} case in the rulebook tests",
                           Location(row["file"], row["line"]), level="warning"))
    return out


def text(suite: SuiteResult, out: TextIO, *, coverage: bool) -> None:
    for case in suite.failed:
        out.write(f"{case.location.prefix()}FAILED {case.name}\n")
        for problem in case.problems:
            out.write(f"    {problem}\n")
    if coverage:
        for f in uncovered(suite):
            out.write(f"{f.location.file}:{f.location.line}: {f.message.replace(' in the rulebook tests', '')}\n")
        out.write(f"coverage: {suite.coverage_percent():.1f}% of {len(suite.coverage())} rules have a passing "
                  "and a failing case\n")
    out.write(f"{len(suite.cases) - len(suite.failed)} passed, {len(suite.failed)} failed\n")


def json_(suite: SuiteResult, out: TextIO, *, coverage: bool) -> None:
    json.dump({
        "schema": "checkengine/tests/1",
        "cases": [{"file": c.file, "line": c.location.line, "name": c.name, "passed": c.passed,
                   "problems": c.problems, "rules": c.rules} for c in suite.cases],
        "coverage": {"percent": round(suite.coverage_percent(), 2), "rules": suite.coverage()},
    }, out, ensure_ascii=False, indent=2)
    out.write("\n")


def junit(suite: SuiteResult, out: TextIO, *, coverage: bool) -> None:
    """Apache Ant JUnit XML (tests/schemas/junit.xsd): a test suite per test file, a case per test."""
    from checkengine.lint.junit import hostname, timestamp

    root = ET.Element("testsuites")
    by_file: dict[str, list[CaseResult]] = {}
    for case in suite.cases:
        by_file.setdefault(case.file, []).append(case)
    stamp, host = timestamp(), hostname()
    for number, (file, cases) in enumerate(by_file.items()):
        node = ET.SubElement(root, "testsuite", package="checkengine.test", id=str(number), name=file,
                             timestamp=stamp, hostname=host, tests=str(len(cases)),
                             failures=str(sum(1 for c in cases if not c.passed)), errors="0", skipped="0",
                             time="0")
        ET.SubElement(node, "properties")
        for case in cases:
            item = ET.SubElement(node, "testcase", name=case.name, classname=file, time="0")
            if not case.passed:
                where = case.location.prefix().rstrip(": ")
                ET.SubElement(item, "failure", message="; ".join(case.problems), type="CE402").text = (
                    where + "\n" + "\n".join(case.problems))
        ET.SubElement(node, "system-out")
        ET.SubElement(node, "system-err")
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def sarif(suite: SuiteResult, out: TextIO, *, coverage: bool) -> None:
    from checkengine.lint.run import LintReport
    from checkengine.lint.sarif import sarif as lint_sarif

    files = list(dict.fromkeys(c.file for c in suite.cases))
    lint_sarif(LintReport(files, findings(suite) + (uncovered(suite) if coverage else [])), out)


def github(suite: SuiteResult, out: TextIO, *, coverage: bool) -> None:
    from checkengine.lint.github import annotation

    for f in findings(suite) + (uncovered(suite) if coverage else []):
        out.write(annotation(f.level, f.message, f.location, title=f"checkengine test {f.code}") + "\n")
    out.write(f"{len(suite.cases) - len(suite.failed)} passed, {len(suite.failed)} failed\n")


FORMATS: dict[str, Callable[..., None]] = {
    "text": text, "json": json_, "junit": junit, "sarif": sarif, "github": github,
}
