"""SARIF 2.1.0 output of lint, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Each finding code is a rule of the ``checkengine`` driver; each finding is a result with the file
(relative to the working folder, resolved against ``SRCROOT``), the line and column, and the field
path inside the file as a logical location.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from checkengine import __version__
from checkengine.findings import CODES, Finding
from checkengine.lint.run import LintReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# SARIF wants an absolute URL for a rule's documentation. Where a team publishes the docs folder,
# CHECKENGINE_DOCS_URL names it; otherwise each rule says where its documentation is in the repo.
DOCS_URL_VARIABLE = "CHECKENGINE_DOCS_URL"


def help_uri(code: str) -> str | None:
    """The published documentation of a finding code (``<docs>/lint.md#ce204``), if published."""
    base = os.environ.get(DOCS_URL_VARIABLE)
    return f"{base.rstrip('/')}/lint.md#{code.lower()}" if base else None


def _rules() -> list[dict[str, Any]]:
    rules = []
    for code, summary in CODES.items():
        rule: dict[str, Any] = {
            "id": code,
            "name": code,
            "shortDescription": {"text": summary},
            "help": {"text": f"{summary}. See docs/lint.md#{code.lower()} in checkengine for an example and the fix."},
            "defaultConfiguration": {"level": "error"},
        }
        uri = help_uri(code)
        if uri:
            rule["helpUri"] = uri
        rules.append(rule)
    return rules


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = finding.location
    location: dict[str, Any] = {}
    if loc.file:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": quote(Path(loc.file).as_posix()), "uriBaseId": "SRCROOT"}
        }
        if loc.line:
            region = {"startLine": loc.line}
            if loc.column:
                region["startColumn"] = loc.column
            physical["region"] = region
        location["physicalLocation"] = physical
    if loc.path:
        location["logicalLocations"] = [{"fullyQualifiedName": loc.path, "kind": "member"}]
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": finding.level,
        "message": {"text": finding.message},
    }
    if location:
        result["locations"] = [location]
    if loc.path:
        result["properties"] = {"path": loc.path}
    return result


def sarif(report: LintReport, out: TextIO) -> None:
    index = {code: i for i, code in enumerate(CODES)}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "checkengine", "version": __version__,
                                    "semanticVersion": __version__, "rules": _rules()}},
                "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().as_uri() + "/"}},
                "invocations": [{"executionSuccessful": True, "exitCode": report.exit_code}],
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index) for f in report.findings],
            }
        ],
    }
    json.dump(log, out, ensure_ascii=False, indent=2)
    out.write("\n")
