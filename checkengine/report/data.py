"""What a report shows, read from the archive: pass rates, worst rules, trend, monitoring coverage,
call loss by day, and open corrective actions.

Counts use the latest evaluation of each record under each rulebook, and the latest outcome of
each aggregate group. A pass rate is passed / (passed + failed): waived, not-applicable,
needs-review and error outcomes are shown as counts but do not move the rate. Aggregate groups
are attributed to the site by their ``site`` key, or - for a group keyed by employee (monitoring
coverage) - by the employee's records at the site in the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

from checkengine.archive.rows import load_json
from checkengine.archive.query import LATEST_GROUP, LATEST_RECORD
from checkengine.archive.store import Archive
from checkengine.report.index import RuleIndex, bounds
from checkengine.report.model import (
    Action, Counts, CoverageRow, LossDay, ReportData, RuleStat, SectionStat, TrendPoint,
)
from checkengine.report.period import Period, parse_period

MONITORING_RULE = "QAM-01"  # the monitoring count rule (QAM-01-...), or a rule tagged monitoring
CALL_LOSS_RULE = "QAM-04"  # the call-loss rate rule (QAM-04-...), or a rule tagged call-loss
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "info": 3}
WORST = 10
SAMPLE = 5


class ReportReader:
    """Reads one site's period (optionally one team) out of an archive."""

    def __init__(self, archive: Archive, *, site: str, team: str | None, lang: str) -> None:
        self.archive = archive
        self.site = site
        self.team = team
        self.index = RuleIndex(archive, lang)

    # -- the people at the site --------------------------------------------------------------------
    def people(self, column: str, label: str) -> dict[str, dict[str, Any]]:
        """employee -> {team, agent} for everyone in the site's records of the period."""
        out: dict[str, dict[str, Any]] = {}
        sql = (f"SELECT employee, team, role, kind FROM records WHERE site = ? AND {column} = ? "
               "AND employee IS NOT NULL")
        for row in self.archive.query(sql, (self.site, label)):
            person = out.setdefault(row["employee"], {"team": None, "agent": False})
            person["team"] = person["team"] or row["team"]
            person["agent"] = person["agent"] or row["role"] == "agent" or row["kind"] == "monitoring"
        return out

    def _in_scope(self, group: dict[str, Any], people: dict[str, dict[str, Any]]) -> bool:
        if group.get("site") is not None and group["site"] != self.site:
            return False
        employee = group.get("employee")
        if group.get("site") is None and employee is not None and employee not in people:
            return False
        if self.team is not None:
            if group.get("team") is not None:
                return bool(group["team"] == self.team)
            if employee is not None:
                return bool(people.get(employee, {}).get("team") == self.team)
        return True

    def _scope(self, alias: str, period: Period) -> tuple[str, list[Any]]:
        """The SQL condition, and its parameters, for the rows of table *alias* in the site's (and
        team's) *period*."""
        sql = f"{alias}.site = ? AND {alias}.{period.column} = ?"
        params: list[Any] = [self.site, period.label]
        if self.team is not None:
            sql += f" AND {alias}.team = ?"
            params.append(self.team)
        return sql, params

    # -- outcomes ----------------------------------------------------------------------------------
    def record_counts(self, period: Period) -> list[tuple[str, str, str, str, int]]:
        """(book, rule, section, outcome, count) of the latest record outcomes in *period*."""
        scope, params = self._scope("o", period)
        sql = (f"SELECT o.book, o.rule, o.section, o.outcome, COUNT(*) AS n FROM outcomes o "
               f"JOIN records r ON r.id = o.record WHERE {scope} AND {LATEST_RECORD} GROUP BY 1, 2, 3, 4")
        return [(r["book"], r["rule"], r["section"], r["outcome"], r["n"]) for r in self.archive.query(sql, params)]

    def groups(self, period: Period, people: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """The latest outcomes of the aggregate groups of *period* (day, week or month groups) that
        belong to the site (and team)."""
        if period.kind == "month":
            weeks = sorted({f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in period.days()
                            if d.isoweekday() == 4})
            condition = f"(o.month = ? OR (o.month IS NULL AND o.week IN ({', '.join('?' for _ in weeks)})))"
            params: list[Any] = [period.label, *weeks]
        else:
            condition = "(o.week = ? OR (o.week IS NULL AND o.month = ?))"
            params = [period.label, period.month]
        sql = f"SELECT o.* FROM outcomes o WHERE o.record IS NULL AND {condition} AND {LATEST_GROUP} ORDER BY o.id"
        out = []
        for row in self.archive.query(sql, params):
            item = dict(row)
            item["group"] = load_json(row["group_key"], "a group key") if row["group_key"] else {}
            if self._in_scope(item["group"], people):
                out.append(item)
        return out

    def period_counts(self, period: Period) -> tuple[dict[tuple[str, str], RuleStat], list[dict[str, Any]],
                                                     dict[str, dict[str, Any]]]:
        people = self.people(period.column, period.label)
        if period.kind == "week":
            for name, person in self.people("month", period.month).items():
                people.setdefault(name, person)
        stats: dict[tuple[str, str], RuleStat] = {}

        def stat(book: str, rule: str, section: str) -> RuleStat:
            key = (book, rule)
            if key not in stats:
                rule_raw = self.index.rules.get(key) or {}
                stats[key] = RuleStat(book, rule, section, self.index.rule_title(book, rule),
                                      str(rule_raw.get("severity", "major")))
            return stats[key]

        for book, rule, section, outcome, n in self.record_counts(period):
            stat(book, rule, section).counts.add(outcome, n)
        groups = self.groups(period, people)
        for g in groups:
            stat(g["book"], g["rule"], g["section"]).counts.add(g["outcome"])
        return stats, groups, people

    # -- the whole report --------------------------------------------------------------------------
    def read(self, period: Period) -> ReportData:
        stats, groups, people = self.period_counts(period)
        records = self._record_total(period)
        sections: dict[tuple[str, str], SectionStat] = {}
        overall = Counts()
        for s in stats.values():
            sec = sections.setdefault((s.book, s.section), SectionStat(
                s.book, s.section, self.index.section_title(s.book, s.section)))
            sec.counts.include(s.counts)
            overall.include(s.counts)
        order = {(book, sid): (b, i) for b, book in enumerate(self.index.books)
                 for i, sid in enumerate(self.index.section_order(book))}
        section_list = sorted(sections.values(), key=lambda s: order.get((s.book, s.section), (999, 0)))
        rule_list = sorted(stats.values(), key=lambda s: (order.get((s.book, s.section), (999, 0)), s.rule))
        worst = sorted((s for s in rule_list if s.counts.failed),
                       key=lambda s: (s.counts.rate if s.counts.rate is not None else 100.0, -s.counts.failed,
                                      s.rule))[:WORST]
        trend = []
        for p in period.trend():
            p_stats = stats if p == period else self.period_counts(p)[0]
            by_section: dict[str, Counts] = defaultdict(Counts)
            total = Counts()
            for s in p_stats.values():
                by_section[s.section].include(s.counts)
                total.include(s.counts)
            trend.append(TrendPoint(p, total, dict(by_section)))
        used = sorted({s.book for s in stats.values()})
        return ReportData(
            site=self.site, team=self.team, period=period,
            books=[self.index.rows[b] for b in used if b in self.index.rows], records=records,
            overall=overall, sections=section_list, rules=rule_list, worst=worst, trend=trend,
            coverage=self.coverage(period, groups, people), call_loss=self.call_loss(period, groups),
            actions=self.actions(period, groups),
        )

    def _record_total(self, period: Period) -> int:
        scope, params = self._scope("r", period)
        sql = f"SELECT COUNT(DISTINCT r.record_id) AS n FROM records r WHERE {scope}"
        return int(next(self.archive.query(sql, params))["n"])

    def coverage(self, period: Period, groups: list[dict[str, Any]],
                 people: dict[str, dict[str, Any]]) -> list[CoverageRow]:
        rows: dict[tuple[str, str], CoverageRow] = {}
        rules: set[tuple[str, str]] = set()
        for g in groups:
            employee = g["group"].get("employee")
            if employee is None or g["month"] != period.month:
                continue
            if not self.index.is_(g["book"], g["rule"], prefix=MONITORING_RULE, tag="monitoring"):
                continue
            rules.add((g["book"], g["rule"]))
            observed = load_json(g["observed"], "an observed value") if g["observed"] else None
            low, _ = bounds(load_json(g["expected"], "an expected value") if g["expected"] else None)
            rows[(g["rule"], employee)] = CoverageRow(
                employee, people.get(employee, {}).get("team"), int(observed) if isinstance(observed, (int, float)) else 0,
                low, g["outcome"], g["rule"])
        month_start = parse_period(period.month).start
        for book, rule in sorted(rules):
            required = self.index.minimum(book, rule, month_start)
            for employee, person in sorted(people.items()):
                if not person["agent"] or (rule, employee) in rows:
                    continue
                if self.team is not None and person["team"] != self.team:
                    continue
                rows[(rule, employee)] = CoverageRow(employee, person["team"], 0, required, "none", rule)
        return sorted(rows.values(), key=lambda r: (r.outcome == "pass", r.monitored, r.employee))

    def call_loss(self, period: Period, groups: list[dict[str, Any]]) -> list[LossDay]:
        by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for g in groups:
            if g["day"] is None or not self.index.is_(g["book"], g["rule"], prefix=CALL_LOSS_RULE, tag="call-loss"):
                continue
            if period.start.isoformat() <= g["day"] <= period.end.isoformat():
                by_day[g["day"]].append(g)
        out = []
        for day in sorted(by_day):
            weighted = denominator = numerator = 0.0
            limit: float | None = None
            failing = []
            for g in by_day[day]:
                details = load_json(g["details"], "the details of an outcome") if g["details"] else {}
                observed = load_json(g["observed"], "an observed value") if g["observed"] else None
                den = float(details.get("denominator") or 0)
                numerator += float(details.get("numerator") or 0)
                denominator += den
                if isinstance(observed, (int, float)):
                    weighted += observed * den
                limit = bounds(load_json(g["expected"], "an expected value") if g["expected"] else None)[1] or limit
                if g["outcome"] == "fail":
                    failing.append(" ".join(str(v) for k, v in g["group"].items() if k not in ("site", "period")))
            rate = weighted / denominator if denominator else None
            outcome = "fail" if failing else ("pass" if rate is not None else "not_applicable")
            out.append(LossDay(date.fromisoformat(day), rate, limit, denominator, numerator, outcome, failing))
        return out

    def actions(self, period: Period, groups: Iterable[dict[str, Any]]) -> list[Action]:
        found: dict[tuple[str, str], Action] = {}

        def action(book: str, rule: str) -> Action:
            key = (book, rule)
            if key not in found:
                raw = self.index.rules.get(key) or {}
                text = self.index.text(book, raw.get("corrective_action")) or None
                found[key] = Action(book, rule, self.index.rule_title(book, rule), str(raw.get("severity", "major")),
                                    text)
            return found[key]

        scope, params = self._scope("o", period)
        sql = (f"SELECT o.book, o.rule, o.day, o.employee, r.record_id FROM outcomes o JOIN records r ON "
               f"r.id = o.record WHERE {scope} AND o.outcome = 'fail' AND {LATEST_RECORD} ORDER BY o.day, o.id")
        for row in self.archive.query(sql, params):
            item = action(row["book"], row["rule"])
            self._note(item, row["day"], row["record_id"], row["employee"])
        for g in groups:
            if g["outcome"] != "fail":
                continue
            item = action(g["book"], g["rule"])
            label = " ".join(f"{v}" for k, v in g["group"].items() if k != "site")
            self._note(item, g["day"] or g["week"] or g["month"], label, g["group"].get("employee"))
        return sorted(found.values(), key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), -a.count, a.rule))

    @staticmethod
    def _note(item: Action, when: str | None, sample: str, employee: str | None) -> None:
        item.count += 1
        if len(item.samples) < SAMPLE:
            item.samples.append(sample)
        if employee and employee not in item.employees:
            item.employees.append(employee)
        if when:
            item.first = min(item.first or when, when)
            item.last = max(item.last or when, when)
