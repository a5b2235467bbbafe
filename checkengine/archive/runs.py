"""Archived outcomes regrouped into one result document per run, for the reporters.

``archive query --format oscal`` (or ``hdf``, or a plugin's format) renders the selected outcomes
as the runs that made them: each run becomes a result as ``evaluate`` makes one
(``result.schema.json``), with the fields the archive keeps; what it does not keep (a rule's title
and its cited source) is left out, and the title falls back to the rule id.
"""

from __future__ import annotations

from typing import Any, Iterable

from checkengine.batch.job import OUTCOME_KEYS

_OUTCOME_FIELDS = ("rule", "section", "outcome", "severity", "explanation", "observed", "expected",
                   "parameters", "waiver", "comment", "evidence", "details")


def _outcome(item: dict[str, Any]) -> dict[str, Any]:
    o = {k: item.get(k) for k in _OUTCOME_FIELDS}
    o.update(title=item["rule"], weight=0.0, critical=False, source=None, sources=[],
             corrective_action=None)
    o["parameters"] = o["parameters"] or {}
    o["evidence"] = o["evidence"] or []
    o["details"] = o["details"] or {}
    return o


def results_by_run(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result document per archive run, in run order, holding that run's selected outcomes."""
    runs: dict[int, dict[str, Any]] = {}
    entries: dict[tuple[int, str], dict[str, Any]] = {}
    for item in items:
        run = runs.get(item["run"])
        if run is None:
            run = runs[item["run"]] = {
                "schema": "checkengine/result/1",
                "rulebook": {**item["rulebook"], "as_of": None},
                "language": None, "generated_at": item["run_started_at"],
                "records": [], "groups": [], "errors": [],
                "summary": {k: 0 for k in OUTCOME_KEYS},
            }
        outcome = _outcome(item)
        run["summary"][outcome["outcome"]] += 1
        if "record" in item:
            rec = item["record"]
            key = (item["run"], rec["id"])
            entry = entries.get(key)
            if entry is None:
                subject = {"employee": item["employee"], "team": item["team"]} if item.get("employee") else None
                entry = entries[key] = {"record": {**rec, "site": item.get("site"), "subject": subject,
                                                   "inspector": None},
                                        "outcomes": [], "score": None}
                run["records"].append(entry)
            entry["outcomes"].append(outcome)
        else:
            run["groups"].append({**outcome, "group": item.get("group") or {}})
    return [runs[k] for k in sorted(runs)]
