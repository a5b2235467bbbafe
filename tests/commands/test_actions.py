"""``checkengine actions`` end to end, on SQLite and on a real PostgreSQL: an archived failure opens
an action, its owner marks it done with a photo, a second person verifies it, the history shows it
closed, and a later failure reopens it. And every way an update is refused (exit 2, one message).

The rule is DRS-01 (seed 001 值班制度 1: "值班人員值班在崗,首先要著裝統一" - staff on duty wear the
uniform); cs-floor's follow_up gives the team leader corrective_action_days (14) to put it right.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[2]
BOOK = str(ROOT / "rulebooks" / "cs-floor.yaml")
EXAMPLE = ROOT / "examples" / "month-2026-11" / "inspections" / "FI-2026-11-03-001.yaml"
PHOTO = ROOT / "examples" / "month-2026-11" / "inspections" / "photos" / "fi-2026-11-10-e009-desk.jpg"


def run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def inspection(folder: Path, record_id: str, day: str, *, uniform: bool) -> Path:
    """A floor round of E004 (team T1) on *day*, the uniform worn or not."""
    data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    data["id"] = record_id
    data["timestamp"] = f"{day}T10:15:00+08:00"
    data["shift"] = {"kind": "day", "start": f"{day}T09:00:00+08:00", "end": f"{day}T17:00:00+08:00"}
    data["observations"]["uniform"] = uniform
    on = date.fromisoformat(day)  # the cleaning logs as fresh as the round (only the uniform fails)
    data["observations"]["dressing_room_last_cleaned"] = (on - timedelta(days=on.weekday())).isoformat()
    data["observations"]["plant_leaves_last_cleaned"] = (on - timedelta(days=(on.weekday() - 4) % 7)).isoformat()
    path = folder / f"{record_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def show(capsys: pytest.CaptureFixture[str], db: str, action: int) -> dict[str, Any]:
    code, out, err = run(capsys, "actions", "show", action, "--db", db, "-f", "json", "--today", "2026-11-30")
    assert (code, err) == (0, "")
    result: dict[str, Any] = json.loads(out)
    return result


def test_an_action_from_failure_to_closed_and_reopened(archive_at: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    first = inspection(tmp_path, "FI-T-1", "2026-11-03", uniform=False)
    code, _, err = run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, first, "--db", archive_at)
    assert code == 0 and "run 1: actions 1 opened, 0 reopened, 0 failed again, 0 verified" in err, err

    code, out, _ = run(capsys, "actions", "list", "--db", archive_at, "-f", "json", "--today", "2026-11-10")
    [item] = json.loads(out)
    assert (item["rule"], item["site"], item["team"], item["employee"]) == ("DRS-01-uniform", "cc-taipei", "T1", "E004")
    # 14 days (cs-floor's corrective_action_days) after the record's day; the team's leader (the record
    # names no person for the role: routing finds them)
    assert (item["status"], item["due"], item["owner"], item["owner_role"], item["overdue"]) == (
        "open", "2026-11-17", None, "team_leader", False)
    code, out, _ = run(capsys, "actions", "list", "--db", archive_at, "--overdue", "--today", "2026-11-18")
    assert out.splitlines() == ["#1 open OVERDUE DRS-01-uniform (cs-floor) cc-taipei T1 E004; owner team_leader; due 2026-11-17",
                                "1 actions (1 overdue)"]

    assert run(capsys, "actions", "update", 1, "assign", "--to", "E001", "--due", "2026-11-19", "--by", "E022",
               "--db", archive_at)[0] == 0
    assert run(capsys, "actions", "update", 1, "start", "--by", "E001", "--db", archive_at)[0] == 0
    code, _, err = run(capsys, "actions", "update", 1, "done", "--by", "E001", "--note", "spare uniform issued",
                       "--photo", PHOTO, "--db", archive_at)
    assert (code, err) == (0, "action 1: done\n")
    code, _, err = run(capsys, "actions", "update", 1, "verify", "--by", "E001", "--db", archive_at)
    assert (code, err) == (2, "checkengine: error: action 1: E001 marked it done, so E001 cannot verify it; a second "
                              "person verifies (or the next record that passes the rule does)\n")
    assert run(capsys, "actions", "update", 1, "verify", "--by", "E022", "--db", archive_at)[:2] == (0, "")

    closed = show(capsys, archive_at, 1)
    assert closed["status"] == "closed" and closed["overdue"] is False
    digest = "sha256:" + hashlib.sha256(PHOTO.read_bytes()).hexdigest()
    assert [(e["seq"], e["actor"], e["event"]) for e in closed["history"]] == [
        (1, "run:1", "opened"), (2, "E022", "assigned"), (3, "E001", "started"), (4, "E001", "done"),
        (5, "E022", "verified")]
    assert closed["history"][3]["files"] == [digest] and closed["history"][3]["note"] == "spare uniform issued"
    from checkengine.archive.store import open_archive
    from checkengine.archive.tracking import file_info

    with open_archive(archive_at, write=False) as archive:
        kept = file_info(archive, digest, content=True)
    assert kept is not None and kept["content"] == PHOTO.read_bytes() and kept["media_type"] == "image/jpeg"

    code, out, _ = run(capsys, "actions", "show", 1, "--db", archive_at)
    lines = out.splitlines()
    assert lines[0] == "#1 closed DRS-01-uniform (cs-floor) cc-taipei T1 E004; owner E001; due 2026-11-19"
    assert lines[5].endswith(f"E001 done (photo {digest}): spare uniform issued")

    # Archiving the same record again changes nothing; a later round that fails reopens the action.
    code, _, err = run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, first, "--db", archive_at)
    assert "run 2: actions 0 opened, 0 reopened, 0 failed again, 0 verified" in err
    later = inspection(tmp_path, "FI-T-2", "2026-11-20", uniform=False)
    code, _, err = run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, later, "--db", archive_at)
    assert "run 3: actions 0 opened, 1 reopened, 0 failed again, 0 verified" in err
    reopened = show(capsys, archive_at, 1)
    assert (reopened["status"], reopened["reopened"], reopened["due"], reopened["records"]) == (
        "open", 1, "2026-12-04", ["FI-T-1", "FI-T-2"])
    assert reopened["history"][-1]["event"] == "reopened" and reopened["history"][-1]["actor"] == "run:3"


def test_a_later_passing_record_verifies_a_done_action(archive_at: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    failed = inspection(tmp_path, "FI-T-1", "2026-11-03", uniform=False)
    assert run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, failed, "--db", archive_at)[0] == 0
    assert run(capsys, "actions", "update", 1, "done", "--by", "E001", "--note", "worn again", "--db", archive_at)[0] == 0
    passed = inspection(tmp_path, "FI-T-2", "2026-11-10", uniform=True)
    code, _, err = run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, passed, "--db", archive_at)
    assert "run 2: actions 0 opened, 0 reopened, 0 failed again, 1 verified by a passing record" in err
    item = show(capsys, archive_at, 1)
    assert item["status"] == "closed"
    assert item["history"][-1] | {"at": None} == {
        "seq": 3, "at": None, "actor": "run:2", "event": "verified", "note": "a later record passes the rule",
        "run": 2, "record_id": "FI-T-2", "day": "2026-11-10", "details": item["history"][-1]["details"]}
    # `actions open` on a run already processed changes nothing
    code, _, err = run(capsys, "actions", "open", "--all", "--db", archive_at)
    assert err.splitlines() == ["run 1: actions 0 opened, 0 reopened, 0 failed again, 0 verified by a passing record",
                                "run 2: actions 0 opened, 0 reopened, 0 failed again, 0 verified by a passing record"]


def test_an_aggregate_failure_opens_an_action_at_its_site(archive_at: str, capsys: pytest.CaptureFixture[str]) -> None:
    """QAM-01, seed 001 質檢 3: "每月每人監聽不少於1-5次" - E011 (3 monitorings) and E020 (none) fail the
    month's count; the group names no site, the agents' records are cc-taipei's. Due 14 days after
    the month's last day; the owner is the quality inspector's role (the group names no inspector)."""
    month = ROOT / "examples" / "month-2026-11"
    code, _, err = run(capsys, "archive", "add", "-q", "-j", "1", "-r", ROOT / "rulebooks" / "call-quality.yaml",
                       month / "monitoring.jsonl", month / "attendance.csv", "--db", archive_at)
    assert code == 0, err
    code, out, _ = run(capsys, "actions", "list", "--db", archive_at, "-f", "json", "--today", "2026-12-01")
    found = {(a["employee"], a["site"], a["team"], a["due"], a["owner_role"], tuple(a["records"]))
             for a in json.loads(out) if a["rule"] == "QAM-01-monthly-monitoring"}
    assert found == {("E011", "cc-taipei", "T2", "2026-12-14", "inspector", ("[employee=E011 period=2026-11]",)),
                     ("E020", "cc-taipei", "T3", "2026-12-14", "inspector", ("[employee=E020 period=2026-11]",))}


@pytest.fixture
def one_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "a.sqlite")
    record = inspection(tmp_path, "FI-T-1", "2026-11-03", uniform=False)
    assert run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, record, "--db", db)[0] == 0
    return db


@pytest.mark.parametrize(("args", "message"), [
    (["99", "start"], "no action 99 in the archive; `checkengine actions list` shows the ids"),
    (["1", "verify"], "action 1 is open: it cannot be 'verify' (only from done); from open you can: assign, start, "
                      "done, note"),
    (["1", "reopen", "--note", "again"], "action 1 is open: it cannot be 'reopen' (only from closed); from open you "
                                         "can: assign, start, done, note"),
    (["1", "done"], "action 1: 'done' needs evidence: a note (--note TEXT) or a photo (--photo FILE), or both"),
    (["1", "assign"], "action 1: assign needs the person it goes to (--to PERSON)"),
    (["1", "start", "--due", "2026-12-01"], "--due goes with assign (a new due day for the person it goes to), not "
                                            "with 'start'"),
    (["1", "done", "--photo", "notes.txt"], "--photo notes.txt: not a JPEG, PNG, GIF or WebP photo (its first bytes "
                                            "say otherwise)"),
    (["1", "done", "--photo", "fake.jpg"], "fake.jpg: the evidence photo 'fake.jpg' is damaged and cannot be shown"),
])
def test_refused_updates(one_action: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("<svg onload=alert(1)>", "utf-8")
    (tmp_path / "fake.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 64)
    code, out, err = run(capsys, "actions", "update", *args, "--by", "E001", "--db", one_action)
    assert (code, out) == (2, "")
    assert err.startswith(f"checkengine: error: {message}"), err
    # nothing was written: the action is as it was
    assert [e["event"] for e in show(capsys, one_action, 1)["history"]] == ["opened"]


def test_a_bad_verb_and_a_run_as_actor_are_usage_errors(one_action: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "actions", "update", 1, "close", "--by", "E001", "--db", one_action)
    assert code == 2 and "'close' is not one of" in err
    code, _, err = run(capsys, "actions", "update", 1, "note", "--note", "x", "--by", "run:7", "--db", one_action)
    assert (code, err) == (2, "checkengine: error: --by 'run:7': give the id of the person making the update "
                              "(e.g. --by E022)\n")


def test_the_history_cannot_be_rewritten(archive_at: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The database refuses to change or delete an action's rows, whoever asks."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "archive"))
    from storetest import raw_failure

    record = inspection(tmp_path, "FI-T-1", "2026-11-03", uniform=False)
    assert run(capsys, "archive", "add", "-q", "-j", "1", "-r", BOOK, record, "--db", archive_at)[0] == 0
    for table, column in (("actions", "rule"), ("action_events", "event")):
        assert raw_failure(archive_at, f"UPDATE {table} SET {column} = 'x'") == (
            f"the archive is append-only: rows of {table} are never changed")
        assert raw_failure(archive_at, f"DELETE FROM {table}") == (
            f"the archive is append-only: rows of {table} are never deleted")
