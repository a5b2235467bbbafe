"""GitHub Actions workflow commands: findings as annotations on the lines they are about.

``::error file=rulebooks/floor.yaml,line=41,col=7,title=CE202::message`` printed by a step makes
GitHub show the message on that line of the pull request. Values are escaped as the runner
expects (``%``, CR and LF in messages; also ``:`` and ``,`` in properties).
"""

from __future__ import annotations

from typing import Literal, TextIO

from checkengine.errors import Location
from checkengine.lint.run import LintReport

Level = Literal["error", "warning", "notice"]


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: Level, message: str, location: Location | None = None, *, title: str | None = None) -> str:
    """One workflow command line (without the newline)."""
    props = []
    if location is not None and location.file:
        props.append(f"file={_prop(location.file)}")
        if location.line:
            props.append(f"line={location.line}")
            if location.column:
                props.append(f"col={location.column}")
    if title:
        props.append(f"title={_prop(title)}")
    head = f"::{level} " + ",".join(props) if props else f"::{level}"
    return f"{head}::{_data(message)}"


def github(report: LintReport, out: TextIO) -> None:
    for f in report.findings:
        text = f"{f.location.path}: {f.message}" if f.location.path else f.message
        out.write(annotation(f.level, text, f.location, title=f.code) + "\n")
    errors = sum(1 for f in report.findings if f.level == "error")
    out.write(f"{len(report.files)} files checked: {errors} errors, {len(report.findings) - errors} warnings\n")
