"""Asking the archive: outcomes filtered by site, team, employee, rule, period and outcome.

By default only the latest evaluation of each record under each rulebook (and of each aggregate
group) counts - a re-evaluation supersedes, but never replaces, the earlier rows; ``history``
shows them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from checkengine.archive.reading import COLUMN_WHAT, JSON_COLUMNS, LATEST_GROUP, LATEST_RECORD, Reader, decode
from checkengine.errors import UserError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OUTCOMES = ("pass", "fail", "not_applicable", "waived", "needs_review", "error")

def period_column(period: str) -> str:
    """The column a period label is compared with (month, week or day); a UserError if malformed."""
    if _MONTH.match(period):
        return "month"
    if _WEEK.match(period):
        return "week"
    if _DAY.match(period):
        return "day"
    raise UserError(f"--period {period}: expected a month (2026-11), an ISO week (2026-W45) or a day "
                    "(2026-11-03)")


@dataclass(frozen=True)
class Filters:
    site: str | None = None
    team: str | None = None
    employee: str | None = None
    rule: str | None = None
    period: str | None = None
    outcome: str | None = None
    history: bool = False

    def check(self) -> None:
        if self.period is not None:
            period_column(self.period)
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise UserError(f"--outcome {self.outcome}: expected one of {', '.join(OUTCOMES)}")


def where(filters: Filters, alias: str = "o") -> tuple[str, list[Any]]:
    """The SQL condition and parameters of *filters* over ``outcomes`` (as *alias*) joined to
    ``records r`` (LEFT JOIN: groups have no record)."""
    filters.check()
    terms: list[str] = []
    params: list[Any] = []
    for column, value in (("site", filters.site), ("employee", filters.employee), ("rule", filters.rule),
                          ("outcome", filters.outcome)):
        if value is not None:
            terms.append(f"{alias}.{column} = ?")
            params.append(value)
    if filters.team is not None:
        # A group keyed by employee has no team of its own: it belongs to the team of its employee.
        terms.append(f"({alias}.team = ? OR ({alias}.record IS NULL AND {alias}.team IS NULL AND EXISTS "
                     f"(SELECT 1 FROM records t WHERE t.employee = {alias}.employee AND t.team = ?)))")
        params += [filters.team, filters.team]
    if filters.period is not None:
        terms.append(f"{alias}.{period_column(filters.period)} = ?")
        params.append(filters.period)
    if not filters.history:
        terms.append(f"(({alias}.record IS NOT NULL AND {LATEST_RECORD}) OR "
                     f"({alias}.record IS NULL AND {LATEST_GROUP}))")
    return (" AND ".join(terms) or "1 = 1"), params


SELECT = """
SELECT o.*, r.record_id, r.kind, r.timestamp, r.file, r.line,
       rb.rulebook_id, rb.version AS rulebook_version, rb.digest AS rulebook_digest, ru.started_at
FROM outcomes o
LEFT JOIN records r ON r.id = o.record
JOIN runs ru ON ru.id = o.run
JOIN rulebooks rb ON rb.id = ru.rulebook
"""


def query_outcomes(archive: Reader, filters: Filters) -> Iterator[dict[str, Any]]:
    condition, params = where(filters)
    for row in archive.stream(SELECT + f"WHERE {condition} ORDER BY o.id", params):
        item: dict[str, Any] = {
            "run": row["run"], "run_started_at": row["started_at"],
            "rulebook": {"id": row["rulebook_id"], "version": row["rulebook_version"],
                         "digest": row["rulebook_digest"]},
            "rule": row["rule"], "section": row["section"], "outcome": row["outcome"],
            "severity": row["severity"], "explanation": row["explanation"],
            "observed": decode(row["observed"], COLUMN_WHAT["observed"]),
            "expected": decode(row["expected"], COLUMN_WHAT["expected"]),
            "site": row["site"], "team": row["team"], "employee": row["employee"],
            "day": row["day"], "month": row["month"], "week": row["week"],
        }
        if row["record"] is not None:
            item["record"] = {"id": row["record_id"], "kind": row["kind"], "timestamp": row["timestamp"],
                              "file": row["file"], "line": row["line"]}
        else:
            item["group"] = decode(row["group_key"], COLUMN_WHAT["group_key"])
        for key in JSON_COLUMNS[2:]:
            if row[key] is not None:
                item[key] = decode(row[key], COLUMN_WHAT.get(key, f"an outcome's {key}"))
        if row["comment"] is not None:
            item["comment"] = row["comment"]
        yield item


def text_line(item: dict[str, Any]) -> str:
    when = item["day"] or item["week"] or item["month"] or "-"
    if "record" in item:
        subject = item["record"]["id"]
    else:
        subject = "[" + " ".join(f"{k}={v}" for k, v in item["group"].items()) + "]"
    who = " ".join(str(v) for v in (item["site"], item["team"], item["employee"]) if v)
    return f"{when} {who} {subject} {item['rule']} {item['outcome']}: {item['explanation']}"


def run_errors(archive: Reader, run: int, limit: int = 10) -> list[dict[str, Any]]:
    """The first unusable records of *run*, in input order, as result errors."""
    rows = archive.rows('SELECT file, line, "column", path, message FROM errors WHERE run = ? ORDER BY seq LIMIT ?',
                         (run, limit))
    return [{"file": r["file"], "line": r["line"], "column": r["column"], "path": r["path"],
             "message": r["message"]} for r in rows]
