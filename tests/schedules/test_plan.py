"""`checkengine schedule` over the example month (November 2026 at cc-taipei), on SQLite and on a
real PostgreSQL: the bundled rulebooks' rhythms, what the archive shows was done, and a manager's
excuse and reschedule kept in the history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "month-2026-11"
BOOKS = ROOT / "rulebooks"


def run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def month(archive_at: str, capsys: pytest.CaptureFixture[str]) -> str:
    for book, inputs in (("management", ["meetings.yaml", "reports.yaml"]), ("cs-floor", ["inspections"]),
                         ("call-quality", ["monitoring.jsonl", "attendance.csv"])):
        code, _, err = run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOKS / f"{book}.yaml",
                           *(MONTH / i for i in inputs), "--db", archive_at)
        assert code == 0, err
    return archive_at


def plan(capsys: pytest.CaptureFixture[str], db: str, today: str, *extra: Any) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = run(capsys, "schedule", "--period", "2026-11", "--site", "cc-taipei", "--today", today,
                         "--db", db, "-f", "json", *extra)
    assert err == ""
    return code, json.loads(out)


def statuses(items: list[dict[str, Any]], schedule: str) -> dict[str, str]:
    return {(i["subject"] or i["due"]): i["status"] for i in items if i["schedule"] == schedule}


def test_the_example_month(month: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, items = plan(capsys, month, "2026-12-05")
    assert code == 1  # something was missed: a finding
    # MGT-01, seed 001 會議 2: "班務會每周一次。" - one a week; the example has none in the week of 16 November.
    assert statuses(items, "weekly-team-meeting") == {
        "2026-11-01": "done", "2026-11-08": "done", "2026-11-15": "done", "2026-11-22": "missed", "2026-11-29": "done"}
    # MGT-02, 001 會議 3: "業務代表會議每月25日前周五召開" - due Friday 20 November; it was held on the 24th.
    assert statuses(items, "monthly-all-staff-meeting") == {"2026-11-20": "missed"}
    # MGT-03, 001 班長 3: "每月匯總形成服務質量分析報告,22日前交客服部主任" - per team leader: E001 on the
    # 20th; E015 on the 23rd (late); E008 never.
    assert statuses(items, "quality-analysis-by-22nd") == {"E001": "done", "E008": "missed", "E015": "missed"}
    # QAM-01, 001 質檢 3: "每月每人監聽不少於1-5次" (5 in this rulebook): E011 has 3, E020 none.
    monitoring = [i for i in items if i["schedule"] == "monthly-monitoring-per-agent"]
    assert {i["subject"]: len(i["found"]) for i in monitoring if i["status"] == "missed"} == {"E011": 3, "E020": 0}
    assert all(i["needed"] == 5 and i["due"] == "2026-11-30" for i in monitoring) and len(monitoring) == 17
    # HYG-05, 001 衛生 二 5: "更衣室清潔每周一由當天的班長負責組織實施" - read from the rounds' dressing-room log.
    cleaning = {i["due"]: (i["status"], i["found"]) for i in items if i["schedule"] == "dressing-room-monday-cleaning"}
    assert cleaning["2026-11-02"] == ("done", ["FI-2026-11-03-001"])
    assert cleaning["2026-11-09"][0] == cleaning["2026-11-16"][0] == "done"
    # the branches are not call centres: the call-centre rhythms do not apply to them
    code, out, _ = run(capsys, "schedule", "--period", "2026-11", "--site", "br-xinyi", "--db", month)
    assert (code, out) == (0, "2026-11: 0 done, 0 due, 0 overdue, 0 missed, 0 excused, 0 upcoming\n")


def test_due_overdue_and_upcoming_in_the_middle_of_the_month(month: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, items = plan(capsys, month, "2026-11-18")
    assert statuses(items, "weekly-team-meeting") == {
        "2026-11-01": "done", "2026-11-08": "done", "2026-11-15": "done", "2026-11-22": "due", "2026-11-29": "upcoming"}
    # Monday cleaning has one grace day: on the 24th the 23rd's is overdue, on the 25th missed
    _, items = plan(capsys, month, "2026-11-24")
    assert statuses(items, "dressing-room-monday-cleaning")["2026-11-23"] == "overdue"
    _, items = plan(capsys, month, "2026-11-25")
    assert statuses(items, "dressing-room-monday-cleaning")["2026-11-23"] == "missed"


def test_a_manager_reschedules_and_excuses(month: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "schedule", "reschedule", "monthly-all-staff-meeting", "--site", "cc-taipei",
                       "--due", "2026-11-20", "--to", "2026-11-24", "--by", "E022",
                       "--reason", "系統切換演練，改至 11 月 24 日", "--db", month)
    assert (code, err) == (0, "management:monthly-all-staff-meeting at cc-taipei due 2026-11-20: moved to 2026-11-24 "
                              "by E022\n")
    assert run(capsys, "schedule", "excuse", "weekly-team-meeting", "--site", "cc-taipei", "--due", "2026-11-22",
               "--by", "E022", "--reason", "week of the system drill", "--db", month)[0] == 0
    assert run(capsys, "schedule", "excuse", "quality-analysis-by-22nd", "--subject", "E015", "--site", "cc-taipei",
               "--due", "2026-11-22", "--by", "E022", "--reason", "one day late, agreed", "--db", month)[0] == 0
    code, items = plan(capsys, month, "2026-12-05")
    [meeting] = [i for i in items if i["schedule"] == "monthly-all-staff-meeting"]
    assert (meeting["status"], meeting["due"], meeting["original_due"], meeting["found"]) == (
        "done", "2026-11-24", "2026-11-20", ["MT-2026-11-24-all-staff"])
    assert meeting["decision"] | {"at": None} == {"event": "rescheduled", "reason": "系統切換演練，改至 11 月 24 日",
                                                  "actor": "E022", "at": None, "new_due": "2026-11-24"}
    assert statuses(items, "weekly-team-meeting")["2026-11-22"] == "excused"
    assert statuses(items, "quality-analysis-by-22nd") == {"E001": "done", "E008": "missed", "E015": "excused"}
    code, out, _ = run(capsys, "schedule", "--period", "2026-11", "--site", "cc-taipei", "--today", "2026-12-05",
                       "--status", "excused", "--db", month)
    assert out.splitlines()[0] == ("2026-11-22 cc-taipei management:weekly-team-meeting [MGT-01] excused 0/1: week "
                                   "of the system drill - Team meeting once a week")


@pytest.mark.parametrize(("args", "message"), [
    (["excuse", "weekly-team-meeting", "--due", "2026-11-23"],
     "--due 2026-11-23: not a due day of management:weekly-team-meeting at cc-taipei (FREQ=WEEKLY;BYDAY=SU); the due "
     "days near it: 2026-10-25, 2026-11-01, 2026-11-08, 2026-11-15, 2026-11-22, 2026-11-29, 2026-12-06, 2026-12-13, "
     "2026-12-20"),
    (["excuse", "weekly-meeting", "--due", "2026-11-22"], "no schedule 'weekly-meeting'; the schedules are: "),
    (["excuse", "quality-analysis-by-22nd", "--due", "2026-11-22"],
     "management:quality-analysis-by-22nd is counted per team_leader: say whose occurrence with --subject EMPLOYEE"),
    (["reschedule", "weekly-team-meeting", "--due", "2026-11-22"], "Missing option '--to'"),
])
def test_refused_decisions(month: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, "schedule", *args, "--site", "cc-taipei", "--by", "E022", "--reason", "x",
                         "--db", month)
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_a_bad_rrule_is_located(month: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    text = (BOOKS / "management.yaml").read_text("utf-8").replace("every: FREQ=WEEKLY;BYDAY=SU",
                                                                  "every: FREQ=WEEKLY;BYDAY=SUN")
    (tmp_path / "management.yaml").write_text(text.replace("include: sources/", f"include: {BOOKS}/sources/"), "utf-8")
    monkeypatch.chdir(tmp_path)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "BYDAY=SUN" in row)
    code, out, err = run(capsys, "schedule", "--period", "2026-11", "-r", "management.yaml", "--db", month)
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: management.yaml:{line}:12: schedules[0].every: 'FREQ=WEEKLY;BYDAY=SUN' is not "
                   "a usable RRULE: invalid 'BYDAY': SUN; write an iCalendar RRULE (RFC 5545) such as "
                   "FREQ=WEEKLY;BYDAY=MO, FREQ=MONTHLY;BYMONTHDAY=22 or FREQ=MONTHLY;BYDAY=-1FR [CE213]\n")


def test_missed_occurrences_are_findings_for_the_report(month: str) -> None:
    from checkengine.archive.store import open_archive
    from checkengine.report.period import parse_period
    from checkengine.schedules.plan import missed_findings

    with open_archive(month, write=False) as archive:
        found = missed_findings(archive, "cc-taipei", parse_period("2026-11"), date(2026, 12, 5))
    meeting = next(f for f in found if f["schedule"] == "weekly-team-meeting")
    assert meeting == {
        "book": "management", "schedule": "weekly-team-meeting", "title": meeting["title"], "source": "MGT-01",
        "site": "cc-taipei", "subject": None, "due": "2026-11-22", "outcome": "fail", "severity": "major",
        "explanation": "weekly-team-meeting was due on 2026-11-22 (FREQ=WEEKLY;BYDAY=SU); 0 of 1 found in the archive "
                       "from 2026-11-16"}
    assert {(f["schedule"], f["subject"]) for f in found} >= {("quality-analysis-by-22nd", "E008"),
                                                              ("monthly-monitoring-per-agent", "E020")}
