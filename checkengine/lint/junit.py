"""JUnit XML output of lint, in the Apache Ant form (tests/schemas/junit.xsd) that CI servers read.

One test suite per file checked; a file without findings is one passing test case, and each
finding is a test case: an ``error`` when the file is unusable, else a ``failure`` (warnings are
``skipped``, so that they show without failing the build).
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from checkengine.findings import Finding
from checkengine.lint.run import LintReport

if TYPE_CHECKING:  # imported when the junit format is asked for: lint loads every format's module
    from xml.etree import ElementTree as ET


def hostname() -> str:
    """The host name the Ant schema asks for ('localhost' when it cannot be told)."""
    try:
        return socket.gethostname() or "localhost"
    except OSError:  # pragma: no cover - depends on the machine
        return "localhost"


def timestamp() -> str:
    """Local time without a zone, as the Ant schema requires."""
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def _case(suite: ET.Element, file: str, finding: Finding | None) -> str:
    """Add one test case; its kind: "pass", "failure", "error" or "skipped"."""
    from xml.etree import ElementTree as ET

    if finding is None:
        ET.SubElement(suite, "testcase", name="lint", classname=file, time="0")
        return "pass"
    loc = finding.location
    where = ":".join(str(p) for p in (loc.line, loc.column) if p)
    name = " ".join(p for p in (finding.code, loc.path or "", where and f"(line {where})") if p)
    case = ET.SubElement(suite, "testcase", name=name, classname=file, time="0")
    if finding.level == "warning":
        ET.SubElement(case, "skipped", message=f"warning: {finding.message}")
        return "skipped"
    kind = "error" if finding.unusable else "failure"
    ET.SubElement(case, kind, message=finding.message, type=finding.code).text = finding.text()
    return kind


def junit(report: LintReport, out: TextIO) -> None:
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites")
    by_file: dict[str, list[Finding]] = {f: [] for f in report.files}
    for finding in report.findings:
        by_file.setdefault(finding.location.file or "-", []).append(finding)
    stamp, host = timestamp(), hostname()
    for number, (file, found) in enumerate(by_file.items()):
        suite = ET.SubElement(root, "testsuite", package="checkengine.lint", id=str(number), name=file,
                              timestamp=stamp, hostname=host)
        ET.SubElement(suite, "properties")
        counts = {"pass": 0, "failure": 0, "error": 0, "skipped": 0}
        cases: list[Finding | None] = list(found) or [None]
        for item in cases:
            counts[_case(suite, file, item)] += 1
        ET.SubElement(suite, "system-out")
        ET.SubElement(suite, "system-err")
        suite.set("tests", str(sum(counts.values())))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
