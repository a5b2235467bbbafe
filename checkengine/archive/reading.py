"""What the archive answers: the queries the report and diff read through, in SQL both backends
share (``?`` marks), and the one place an archived JSON column is decoded.

By default only the latest evaluation of each record under each rulebook (and of each aggregate
group) counts - a re-evaluation supersedes, but never replaces, the earlier rows.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from checkengine.errors import UserError

# The latest evaluation of a record under each rulebook (by id: a new version supersedes), and
# the latest outcome of each aggregate group.
LATEST_RECORD = ("r.id = (SELECT MAX(r2.id) FROM records r2 WHERE r2.record_id = r.record_id "
                 "AND r2.book = r.book)")
LATEST_GROUP = ("o.id = (SELECT MAX(o2.id) FROM outcomes o2 WHERE o2.book = o.book AND o2.rule = o.rule "
                "AND o2.group_key = o.group_key)")
PERIOD_COLUMNS = ("day", "week", "month")
JSON_COLUMNS = ("observed", "expected", "parameters", "waiver", "evidence", "details")


#: what each JSON column holds, as a damaged-row message names it
COLUMN_WHAT = {"observed": "an outcome's value", "expected": "an outcome's limit", "details": "an outcome's details",
               "group_key": "a group key"}


def decode(text: str | None, what: str = "a stored value") -> Any:
    """An archived JSON column's value (None for NULL): every JSON read from the archive comes
    through here, and a damaged one (a disk fault, a hand edit) is a message naming it (exit 2),
    never a crash."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise UserError(
            f"the archive holds a damaged row: {what} is not valid JSON ({str(exc)[:80]}); the "
            "archive file may be corrupt: restore it from a backup"
        ) from None


def _column(name: str) -> str:
    if name not in PERIOD_COLUMNS:
        raise ValueError(f"not a period column: {name!r}")
    return name


@dataclass(frozen=True)
class PeriodScope:
    """The rows of one site (and team) in one period: ``column`` is day, week or month."""

    site: str
    team: str | None
    column: str
    label: str

    def condition(self, alias: str) -> tuple[str, list[Any]]:
        sql = f"{alias}.site = ? AND {alias}.{_column(self.column)} = ?"
        params: list[Any] = [self.site, self.label]
        if self.team is not None:
            sql += f" AND {alias}.team = ?"
            params.append(self.team)
        return sql, params


class Reader(ABC):
    """The archive's query interface (a :class:`~checkengine.archive.store.Store` is one)."""

    @abstractmethod
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        """Every row of a query (for the small answers)."""

    @abstractmethod
    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Mapping[str, Any]]:
        """The rows of a query a batch at a time (for the answers as large as the archive)."""

    # -- rulebooks ---------------------------------------------------------------------------------
    def rulebooks(self) -> list[dict[str, Any]]:
        """Every archived rulebook, oldest first: id, version, digest and the merged rulebook."""
        return [{"id": r["rulebook_id"], "version": r["version"], "digest": r["digest"],
                 "merged": decode(r["merged"], f"the rulebook {r['rulebook_id']}")}
                for r in self.rows("SELECT rulebook_id, version, digest, merged FROM rulebooks ORDER BY id")]

    # -- records -----------------------------------------------------------------------------------
    def latest_records(self) -> Iterator[tuple[Any, str | None, int | None]]:
        """(record data, file, line) of the latest archived version of every record, in archive order."""
        sql = ("SELECT data, file, line FROM records r WHERE r.id = "
               "(SELECT MAX(r2.id) FROM records r2 WHERE r2.record_id = r.record_id) ORDER BY r.id")
        for row in self.stream(sql):
            yield decode(row["data"], "a record"), row["file"], row["line"]

    def people(self, site: str, column: str, label: str) -> list[tuple[str, str | None, str | None, str]]:
        """(employee, team, role, kind) of every record of *site* whose *column* is *label*."""
        sql = (f"SELECT employee, team, role, kind FROM records WHERE site = ? AND {_column(column)} = ? "
               "AND employee IS NOT NULL ORDER BY id")
        return [(r["employee"], r["team"], r["role"], r["kind"]) for r in self.rows(sql, (site, label))]

    def record_total(self, scope: PeriodScope) -> int:
        """How many distinct records the scope holds."""
        condition, params = scope.condition("r")
        rows = self.rows(f"SELECT COUNT(DISTINCT r.record_id) AS n FROM records r WHERE {condition}", params)
        return int(rows[0]["n"])

    # -- outcomes ----------------------------------------------------------------------------------
    def record_outcome_counts(self, scope: PeriodScope) -> list[tuple[str, str, str, str, int]]:
        """(book, rule, section, outcome, count) of the latest record outcomes in the scope."""
        condition, params = scope.condition("o")
        sql = (f"SELECT o.book, o.rule, o.section, o.outcome, COUNT(*) AS n FROM outcomes o "
               f"JOIN records r ON r.id = o.record WHERE {condition} AND {LATEST_RECORD} "
               "GROUP BY o.book, o.rule, o.section, o.outcome ORDER BY o.book, o.rule, o.outcome")
        return [(r["book"], r["rule"], r["section"], r["outcome"], int(r["n"])) for r in self.rows(sql, params)]

    def failed_record_outcomes(self, scope: PeriodScope) -> list[dict[str, Any]]:
        """book, rule, day, employee and record_id of the latest failed record outcomes, by day."""
        condition, params = scope.condition("o")
        sql = (f"SELECT o.book, o.rule, o.day, o.employee, r.record_id FROM outcomes o JOIN records r ON "
               f"r.id = o.record WHERE {condition} AND o.outcome = 'fail' AND {LATEST_RECORD} ORDER BY o.day, o.id")
        return [dict(r) for r in self.rows(sql, params)]

    def record_outcome_rows(self, scope: PeriodScope) -> list[dict[str, Any]]:
        """Every latest record outcome of the scope, for a drill-down: book, rule, section, outcome,
        day, team, employee and record_id, by day."""
        condition, params = scope.condition("o")
        sql = (f"SELECT o.book, o.rule, o.section, o.outcome, o.day, r.team, o.employee, r.record_id FROM outcomes o "
               f"JOIN records r ON r.id = o.record WHERE {condition} AND {LATEST_RECORD} ORDER BY o.day, o.id")
        return [dict(r) for r in self.rows(sql, params)]

    def latest_groups(self, column: str, label: str, fallback: str, fallback_labels: Sequence[str]) -> list[dict[str, Any]]:
        """The latest outcome of every aggregate group whose *column* is *label*, or - for a group
        without that column - whose *fallback* column is one of *fallback_labels*; JSON decoded,
        the group as ``group``."""
        marks = ", ".join("?" for _ in fallback_labels) or "NULL"
        sql = (f"SELECT o.* FROM outcomes o WHERE o.record IS NULL AND (o.{_column(column)} = ? OR "
               f"(o.{_column(column)} IS NULL AND o.{_column(fallback)} IN ({marks}))) AND {LATEST_GROUP} "
               "ORDER BY o.id")
        out = []
        for row in self.rows(sql, [label, *fallback_labels]):
            item = dict(row)
            for key in JSON_COLUMNS:
                item[key] = decode(item[key], COLUMN_WHAT.get(key, f"an outcome's {key}"))
            item["group"] = decode(row["group_key"], "a group key") or {}
            out.append(item)
        return out
