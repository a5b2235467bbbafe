"""What a report reads from the archive, checked against Engine.run on the same records."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checkengine.archive.store import open_archive
from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import iter_records
from checkengine.report.data import ReportReader
from checkengine.report.model import ReportData
from checkengine.report.period import parse_period
from checkengine.rulebook.load import load_rulebook

from conftest import MIN_MONITORING, make_archive  # noqa: E402  (this folder's conftest, on sys.path)


def read(archive: str, period: str, team: str | None = None, lang: str = "en") -> ReportData:
    with open_archive(archive, write=False) as opened:
        return ReportReader(opened, site="cc-taipei", team=team, lang=lang).read(parse_period(period))


@pytest.fixture(scope="module")
def november(month_files: dict[str, Path]) -> dict[str, Any]:
    result: dict[str, Any] = Engine(load_rulebook(month_files["book"])).run(
        iter_records([month_files["nov"]], default_registry()))
    return result


def test_rates_match_engine_run(archive: str, november: dict[str, Any]) -> None:
    data = read(archive, "2026-11")
    expected: Counter[tuple[str, str]] = Counter()
    for entry in november["records"]:
        for o in entry["outcomes"]:
            expected[(o["rule"], o["outcome"])] += 1
    for o in november["groups"]:
        expected[(o["rule"], o["outcome"])] += 1
    got = {(r.rule, "pass"): r.counts.passed for r in data.rules} | {(r.rule, "fail"): r.counts.failed for r in data.rules}
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if k[1] in ("pass", "fail")}
    assert data.overall.passed == sum(v for (_, o), v in expected.items() if o == "pass")
    # "not applicable", "needs review", "error" and "waived" are counted apart, never lumped together
    for name, outcome in (("not_applicable", "not_applicable"), ("needs_review", "needs_review"),
                          ("error", "error"), ("waived", "waived")):
        assert getattr(data.overall, name) == sum(v for (_, o), v in expected.items() if o == outcome), name
    assert data.records == len(november["records"])
    assert [s.section for s in data.sections] == ["dress", "conduct", "quality"]
    rates = [r.counts.rate for r in data.worst]
    assert rates == sorted(rates) and all(r.counts.failed for r in data.worst)


def test_trend_has_the_earlier_month(archive: str) -> None:
    data = read(archive, "2026-11")
    assert [p.period.label for p in data.trend] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert [p.overall.rate is None for p in data.trend] == [True, True, True, True, False, False]
    assert data.trend[-1].overall == data.overall


def test_monitoring_coverage(archive: str, november: dict[str, Any]) -> None:
    data = read(archive, "2026-11")
    counts = {o["group"]["employee"]: o["observed"] for o in november["groups"] if o["rule"] == "QAM-01-monitoring"}
    rows = {c.employee: c for c in data.coverage}
    assert {e: rows[e].monitored for e in counts} == counts
    assert all(rows[e].required == MIN_MONITORING for e in rows)
    assert rows["E009"].monitored == 0 and rows["E009"].outcome == "none"  # an agent never monitored
    below = [c.employee for c in data.coverage if c.outcome != "pass"]
    assert below == ["E009"] + sorted((e for e in counts if counts[e] < MIN_MONITORING), key=lambda e: (counts[e], e))
    assert data.coverage[: len(below)] == [rows[e] for e in below]  # who is short comes first


def test_call_loss_by_day(archive: str, month_files: dict[str, Path]) -> None:
    data = read(archive, "2026-11")
    offered: Counter[str] = Counter()
    abandoned: Counter[str] = Counter()
    for line in month_files["nov"].read_text("utf-8").splitlines():
        record = json.loads(line)
        if record["kind"] == "call_stats":
            offered[record["data"]["date"]] += record["data"]["offered"]
            abandoned[record["data"]["date"]] += record["data"]["abandoned"]
    assert [d.day.isoformat() for d in data.call_loss] == sorted(offered)
    for day in data.call_loss:
        key = day.day.isoformat()
        assert day.rate == pytest.approx(100.0 * abandoned[key] / offered[key], abs=1e-3)
        assert day.limit == 5.0
        assert day.outcome == ("fail" if 100.0 * abandoned[key] / offered[key] > 5 else "pass")


def test_corrective_actions(archive: str, november: dict[str, Any]) -> None:
    data = read(archive, "2026-11")
    failures = Counter(o["rule"] for e in november["records"] for o in e["outcomes"] if o["outcome"] == "fail")
    failures.update(o["rule"] for o in november["groups"] if o["outcome"] == "fail")
    assert {a.rule: a.count for a in data.actions} == dict(failures)
    actions = {a.rule: a for a in data.actions}
    assert actions["CND-08-time-outside"].action == "Talk to the team leader"
    assert actions["DRS-02-badge"].action is None  # the rulebook prescribes none: the report says "restore"
    severities = [a.severity for a in data.actions]
    assert severities == sorted(severities, key=["critical", "major", "minor", "info"].index)
    assert len(actions["DRS-01-uniform"].samples) == 5


def test_team(archive: str) -> None:
    whole, t1 = read(archive, "2026-11"), read(archive, "2026-11", team="T1")
    assert 0 < t1.records < whole.records
    assert {c.team for c in t1.coverage} == {"T1"}
    assert t1.call_loss == whole.call_loss  # the call loss is the site's, whatever the team


def test_week(archive: str) -> None:
    data = read(archive, "2026-W46")
    days = {d.day.isoformat() for d in data.call_loss}
    assert days and days <= {f"2026-11-{d:02d}" for d in range(9, 16)}
    assert data.coverage  # the month-to-date coverage of November
    assert [p.period.label for p in data.trend][-1] == "2026-W46"


def test_titles_in_the_report_language(archive: str) -> None:
    data = read(archive, "2026-11", lang="ko")
    assert {s.title for s in data.sections} == {"복장", "행동", "품질"}


def test_both_stores_give_the_same_report(tmp_path: Path, postgres: Any, month_files: dict[str, Path]) -> None:
    """The same months archived in SQLite and in PostgreSQL make the same report, period after period."""

    stores = [make_archive(str(tmp_path / "a.sqlite"), month_files), make_archive(postgres.new_database(), month_files)]
    for period, team in (("2026-11", None), ("2026-10", "T2"), ("2026-W45", None)):
        sqlite_data, postgres_data = (read(location, period, team=team) for location in stores)
        assert sqlite_data == postgres_data
        assert sqlite_data.records > 0


def test_the_aggregate_sections_come_from_plugins_by_tag(archive: str) -> None:
    """The report names no rule: without a registered section it shows no coverage and no call loss;
    a section registered for another tag of the same rules shows them again."""
    from checkengine.report.sections import ReportSection

    with open_archive(archive, write=False) as opened:
        bare = ReportReader(opened, site="cc-taipei", team=None, lang="en", sections=[]).read(parse_period("2026-11"))
        assert (bare.coverage, bare.call_loss) == ([], [])
        default = ReportReader(opened, site="cc-taipei", team=None, lang="en").read(parse_period("2026-11"))
        other = ReportReader(opened, site="cc-taipei", team=None, lang="en", sections=[
            ReportSection("loss", "per_day", "call-loss"),
            ReportSection("checked", "per_person", "monitoring", people_roles=("agent",)),
        ]).read(parse_period("2026-11"))
    assert default.call_loss and other.call_loss == default.call_loss
    assert default.coverage and other.coverage == default.coverage
    assert bare.overall == default.overall  # the rule counts are the same whatever the sections
