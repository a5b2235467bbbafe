"""Lint output formats: text, json, junit, sarif and github (annotations), by name.

``text`` is ``path:line:col: CODE field.path: message``, one finding a line, then a summary line.
"""

from __future__ import annotations

import json
from typing import Callable, TextIO

from checkengine.findings import CODES
from checkengine.lint.github import github
from checkengine.lint.junit import junit
from checkengine.lint.run import LintReport
from checkengine.lint.sarif import sarif


def text(report: LintReport, out: TextIO) -> None:
    for f in report.findings:
        level = "" if f.level == "error" else " (warning)"
        out.write(f.text() + level + "\n")
    errors = sum(1 for f in report.findings if f.level == "error")
    warnings = len(report.findings) - errors
    out.write(f"{len(report.files)} files checked: {errors} errors, {warnings} warnings\n")


def json_(report: LintReport, out: TextIO) -> None:
    json.dump(
        {
            "schema": "checkengine/lint/1",
            "files": report.files,
            "exit_code": report.exit_code,
            "findings": [
                {"code": f.code, "level": f.level, "message": f.message, "rule_summary": CODES[f.code],
                 "file": f.location.file, "line": f.location.line, "column": f.location.column,
                 "path": f.location.path}
                for f in report.findings
            ],
        },
        out, ensure_ascii=False, indent=2,
    )
    out.write("\n")


FORMATS: dict[str, Callable[[LintReport, TextIO], None]] = {
    "text": text, "json": json_, "junit": junit, "sarif": sarif, "github": github,
}
