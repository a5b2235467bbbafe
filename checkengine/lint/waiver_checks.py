"""Checks of waiver files: schema, expiry, and rules that exist."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Iterator

from checkengine.findings import Finding
from checkengine.waivers import load_waivers


def lint_waivers(path: Path, rule_ids: set[str] | None, today: date) -> Iterator[Finding]:
    for w in load_waivers(path):
        if w.granted and w.granted > w.expires:
            yield Finding("CE303", f"granted on {w.granted}, after it expires on {w.expires}; fix the dates",
                          w.location)
        if w.expires < today.isoformat():
            yield Finding("CE301", f"the waiver for '{w.rule}' expired on {w.expires}; renew it (new "
                          "expires date, approved again) or remove it", w.location)
        if rule_ids is not None and w.rule not in rule_ids:
            close = difflib.get_close_matches(w.rule, sorted(rule_ids), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield Finding("CE302", f"the waiver names rule '{w.rule}', which no linted rulebook has{hint}",
                          w.location)
