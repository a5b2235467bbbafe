"""The ``summary`` reporter: one line per rule with its outcome counts, worst rules first.

For runs over many records (a month of attendance), where listing every finding is too long.
"""

from __future__ import annotations

from typing import Any, Callable, TextIO

from checkengine import hookimpl
from checkengine.reporting import Reporter

COLUMNS = ("pass", "fail", "waived", "needs_review", "error", "not_applicable")
HEAD = ("pass", "fail", "waived", "review", "error", "n/a")


def rule_counts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Outcome counts per rule over records and groups, in rulebook order."""
    rows: dict[str, dict[str, Any]] = {}
    outcomes = [o for entry in result["records"] for o in entry["outcomes"]] + list(result["groups"])
    for o in outcomes:
        row = rows.setdefault(o["rule"], {"rule": o["rule"], "title": o["title"], "section": o["section"],
                                          **{c: 0 for c in COLUMNS}})
        row[o["outcome"]] += 1
    return list(rows.values())


class SummaryReporter(Reporter):
    name = "summary"
    summary = "For people, over many records: outcome counts per rule, then unusable records."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        book = result["rulebook"]
        out.write(f"rulebook {book['id']} {book['version']} ({book['digest'][:19]}), "
                  f"{len(result['records'])} records, {len(result['groups'])} aggregate groups\n")
        rows = rule_counts(result)
        width = max([len(r["rule"]) for r in rows] + [4])
        out.write(f"  {'rule':<{width}} " + " ".join(f"{h:>6}" for h in HEAD) + "  title\n")
        for row in rows:
            counts = " ".join(f"{row[c]:>6}" for c in COLUMNS)
            out.write(f"  {row['rule']:<{width}} {counts}  {row['title']}\n")
        for err in result["errors"]:
            where = ":".join(str(x) for x in (err["file"], err.get("line"), err.get("column")) if x)
            path = f" {err['path']}:" if err.get("path") else ""
            out.write(f"{where}: error:{path} {err['message']}\n")
        s = result["summary"]
        out.write(f"total: {s['pass']} passed, {s['fail']} failed, {s['waived']} waived, "
                  f"{s['needs_review']} need review, {s['error']} errors, {s['not_applicable']} not applicable, "
                  f"{len(result['errors'])} unusable\n")


@hookimpl(trylast=True)
def checkengine_register_reporters(register: Callable[[Reporter], None]) -> None:
    register(SummaryReporter())
