"""Checks of waiver files: expiry, dates in order, and rules that exist."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

from checkengine.errors import UserError
from checkengine.findings import CodedError, Finding
from checkengine.inputs import display_path
from checkengine.waivers import load_waivers
from checkengine.yamlio import load_file


def lint_waivers(path: Path, rule_ids: set[str] | None, today: date) -> Iterator[Finding]:
    """Findings of one waivers file; rule names are checked when *rule_ids* is given."""
    try:
        waivers = load_waivers(path)
    except UserError as exc:
        raise CodedError.wrap("CE101", exc) from None
    doc = load_file(path, display=display_path(path))
    for i, w in enumerate(waivers):
        if w.granted and w.granted > w.expires:
            yield Finding(
                "CE303",
                f"granted on {w.granted}, after it expires on {w.expires}, so it never applies; "
                "fix the dates (granted must be on or before expires)",
                doc.location(("waivers", i, "granted")),
            )
        if w.expires < today.isoformat():
            yield Finding(
                "CE301",
                f"the waiver for '{w.rule}' expired on {w.expires}; an expired waiver no longer "
                "excuses anything: renew it (a new expires date, approved again) or remove it",
                doc.location(("waivers", i, "expires")),
            )
        if rule_ids is not None and w.rule not in rule_ids:
            import difflib  # only to suggest a name (start-up time)

            close = difflib.get_close_matches(w.rule, sorted(rule_ids), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield Finding(
                "CE302",
                f"the waiver names rule '{w.rule}', which no linted rulebook has{hint}; name an "
                "existing rule id, or remove the waiver",
                doc.location(("waivers", i, "rule")),
            )
