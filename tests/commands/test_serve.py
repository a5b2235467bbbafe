"""``checkengine serve`` administration: sites, users and assignments in the store (on SQLite and
on a real PostgreSQL), and its mistakes (exit 2, one message, no traceback). The server itself is
tested in a browser (tests/web/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checkengine.archive.store import open_archive
from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_a_site_its_people_and_an_assignment(archive_at: str, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store = ["--store", archive_at]
    assert cli(capsys, "serve", "add-site", *store, "--id", "cc-kaohsiung", "--name", "高雄客服中心", "--country", "TW",
               "--timezone", "Asia/Taipei", "--type", "call_centre") == (0, "added site cc-kaohsiung\n", "")
    monkeypatch.setenv("CHECKENGINE_NEW_PASSWORD", "correct horse battery staple")
    assert cli(capsys, "serve", "add-user", *store, "--username", "kao.auditor", "--name", "高稽核", "--role", "auditor",
               "--site", "cc-kaohsiung")[:2] == (0, "added kao.auditor (auditor; sites: cc-kaohsiung)\n")
    assert cli(capsys, "serve", "add-user", *store, "--username", "kao.manager", "--name", "高主任", "--role",
               "site_manager", "--site", "cc-kaohsiung")[0] == 0
    assign = ["serve", "assign", *store, "--rulebooks", ROOT / "rulebooks", "--rulebook", "cs-floor",
              "--site", "cc-kaohsiung", "--auditor", "kao.auditor", "--date", "2026-12-07", "--employee", "K001",
              "--person", "王小明", "--team", "T1"]
    assert cli(capsys, *assign, "--by", "kao.manager") == (0, "inspection 1 assigned to kao.auditor\n", "")
    with open_archive(archive_at, write=False) as archive:
        auditor = archive.user_named("kao.auditor")
        assert auditor is not None and auditor.password.startswith("$argon2id$")
        [inspection] = archive.inspections_visible_to(auditor)
        assert (inspection.site, inspection.rulebook, inspection.kind, inspection.due, inspection.subject) == (
            "cc-kaohsiung", "cs-floor", "floor_inspection", "2026-12-07",
            {"employee": "K001", "name": "王小明", "team": "T1"})
        actions = [(e["action"], e["target"]) for e in reversed(archive.audit_entries())]
    assert actions == [("site added", "cc-kaohsiung"), ("user added", "kao.auditor"), ("user added", "kao.manager"),
                       ("inspection assigned", "inspection 1")]
    # Mistakes: exit 2, one message.
    for args, message in (
            (["--by", "kao.auditor"], "--by kao.auditor: not a site manager of 'cc-kaohsiung' nor an administrator"),
            (["--by", "kao.manager", "--date", "7.12.2026"], "--date 7.12.2026: not a date; write YYYY-MM-DD (e.g. 2026-11-03)"),
    ):
        assert cli(capsys, *assign, *args) == (2, "", f"checkengine: error: {message}\n")
    code, _, err = cli(capsys, "serve", "add-user", *store, "--username", "kao.auditor", "--name", "x", "--role",
                       "auditor")
    assert (code, err) == (2, "checkengine: error: user 'kao.auditor' exists already; choose another name\n")
    monkeypatch.setenv("CHECKENGINE_NEW_PASSWORD", "short")
    code, _, err = cli(capsys, "serve", "add-user", *store, "--username", "x", "--name", "x", "--role", "auditor")
    assert (code, err) == (2, "checkengine: error: the password is shorter than 12 characters; choose a longer one\n")
    code, _, err = cli(capsys, "serve", "add-site", *store, "--id", "x", "--timezone", "Mars/Olympus")
    assert code == 2 and "Mars/Olympus" in err and err.count("\n") == 1
