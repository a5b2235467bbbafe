"""``checkengine serve link-person``: who a workspace user is in the records (their person id and
the action owner roles they hold), by an administrator, written in the audit log; its mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from checkengine.archive.people import PersonLink, person_links
from checkengine.archive.store import open_archive
from checkengine.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_link_a_user_to_a_person(archive_at: str, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = ["--store", archive_at]
    monkeypatch.setenv("CHECKENGINE_NEW_PASSWORD", "correct horse battery staple")
    assert cli(capsys, "serve", "add-site", *store, "--id", "cc-taipei", "--timezone", "Asia/Taipei")[0] == 0
    for name, role in (("lead.chang", "auditor"), ("root", "administrator")):
        assert cli(capsys, "serve", "add-user", *store, "--username", name, "--name", name, "--role", role,
                   "--site", "cc-taipei")[0] == 0
    link = ["serve", "link-person", *store, "--username", "lead.chang"]
    assert cli(capsys, *link, "--person", "E010", "--owner-role", "team_leader", "--by", "root") == (
        0, "lead.chang is E010 in the records; owner roles: team_leader\n", "")
    with open_archive(archive_at, write=False) as archive:
        lead = archive.user_named("lead.chang")
        assert lead is not None
        found = person_links(archive, [lead.id])[lead.id]
        entry = archive.audit_entries()[0]
    assert (found.person, found.owner_roles, found.set_by) == ("E010", ("team_leader",), "root")
    assert isinstance(found, PersonLink)
    assert (entry["action"], entry["target"]) == ("person linked", "lead.chang")
    for args, message in (
            (["--person", "E010", "--by", "lead.chang"], "--by lead.chang: not an administrator"),
            (["--by", "root"], "give --person ID, --owner-role ROLE, or both (a link with neither says nothing)"),
    ):
        assert cli(capsys, *link, *args) == (2, "", f"checkengine: error: {message}\n")
    assert cli(capsys, "serve", "link-person", *store, "--username", "nobody", "--person", "E1", "--by", "root") == (
        2, "", "checkengine: error: --username nobody: no such user; add one with `checkengine serve add-user`\n")
