"""``checkengine actions digest`` against a real SMTP server (aiosmtpd on 127.0.0.1, started by the
test): one e-mail per person per day, routed by site and team, never twice the same day, the
password read from the environment only and never printed."""

from __future__ import annotations

import email
import socket
from email.message import Message
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[2]
BOOK = str(ROOT / "rulebooks" / "cs-floor.yaml")
MONTH = ROOT / "examples" / "month-2026-11" / "inspections"
ROUTES = """\
checkengine: 1
people:
  E001: {name: 王小明, email: e001@example.org}
  E008: {name: T2 leader, email: e008@example.org}
  E022: {name: 陳國華, email: e022@example.org}
routes:
  - {site: cc-taipei, team: T1, role: team_leader, to: [E001]}
  - {site: cc-taipei, team: T2, role: team_leader, to: [E008]}
  - {site: cc-taipei, to: [E022, quality@example.org]}
"""


class Sink:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = (v.decode() if isinstance(v, bytes) else str(v) for v in (data.login, data.password))
        sink.logins.append((login, password))
        return AuthResult(success=(login, password) == ("bot", "s3cret-pw"), handled=False)

    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def archived(archive_at: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, Path]:
    db = archive_at  # SQLite and PostgreSQL alike
    assert main(["archive", "add", "-q", "-j", "1", "-r", BOOK, str(MONTH), "--db", db]) == 0
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES, "utf-8")
    capsys.readouterr()
    return db, routes


def digest(capsys: pytest.CaptureFixture[str], db: str, routes: Path, port: int, day: str,
           *extra: str) -> tuple[int, str, str]:
    code = main(["actions", "digest", "--db", db, "--routes", str(routes), "--smtp-host", "127.0.0.1", "--smtp-port",
                 str(port), "--no-starttls", "--from", "checkengine@example.org", "--day", day, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_digest_per_person_per_day(archived: tuple[str, Path], smtp: tuple[Sink, int],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db, routes = archived
    sink, port = smtp
    code, out, err = digest(capsys, db, routes, port, "2026-11-20")
    assert (code, out) == (0, "")
    assert err == "digests of 2026-11-20: 4 sent, 0 already sent today, 0 without an address\n"
    by_to = {m["To"]: m for m in sink.messages}
    assert sorted(by_to) == ["e001@example.org", "e008@example.org", "e022@example.org", "quality@example.org"]
    leader = by_to["e001@example.org"].get_payload(decode=True).decode("utf-8")
    manager = by_to["e022@example.org"].get_payload(decode=True).decode("utf-8")
    # E001 gets team T1's actions only; the site manager gets every action of the site
    assert " T1 " in leader and " T2 " not in leader and " T3 " not in leader
    assert manager.count("\n  #") > leader.count("\n  #") > 0
    assert "OVERDUE" in leader  # rounds of early November: 14 days have passed by the 20th
    assert by_to["e001@example.org"]["Subject"].startswith("checkengine: ")
    assert by_to["e001@example.org"]["From"] == "checkengine@example.org"

    # the same day again: nothing is sent twice
    assert digest(capsys, db, routes, port, "2026-11-20") == (
        0, "", "digests of 2026-11-20: 0 sent, 4 already sent today, 0 without an address\n")
    assert len(sink.messages) == 4
    # the next day: a new digest each
    assert digest(capsys, db, routes, port, "2026-11-21")[0] == 0
    assert len(sink.messages) == 8


def test_login_with_the_password_from_the_environment(archived: tuple[str, Path], smtp: tuple[Sink, int],
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db, routes = archived
    sink, port = smtp
    code, _, err = digest(capsys, db, routes, port, "2026-11-20", "--smtp-user", "bot")
    assert (code, err) == (2, "checkengine: error: --smtp-user bot: the password is read from "
                              "CHECKENGINE_SMTP_PASSWORD only; set it\n")
    monkeypatch.setenv("CHECKENGINE_SMTP_PASSWORD", "wrong-pw")
    code, out, err = digest(capsys, db, routes, port, "2026-11-20", "--smtp-user", "bot")
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: the SMTP server 127.0.0.1:{port} refused the login of bot; check the user "
                   "and CHECKENGINE_SMTP_PASSWORD\n")
    assert sink.messages == []
    monkeypatch.setenv("CHECKENGINE_SMTP_PASSWORD", "s3cret-pw")
    code, out, err = digest(capsys, db, routes, port, "2026-11-20", "--smtp-user", "bot")
    assert code == 0 and len(sink.messages) == 4
    assert "s3cret-pw" not in out + err and ("bot", "s3cret-pw") in sink.logins


def test_starttls_is_required_unless_switched_off(archived: tuple[str, Path], smtp: tuple[Sink, int],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db, routes = archived
    sink, port = smtp
    code = main(["actions", "digest", "--db", db, "--routes", str(routes), "--smtp-host", "127.0.0.1", "--smtp-port",
                 str(port), "--from", "checkengine@example.org", "--day", "2026-11-20"])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"checkengine: error: the SMTP server 127.0.0.1:{port} does not offer STARTTLS; use "
                              "--no-starttls only on a trusted network\n")
    assert sink.messages == []


@pytest.mark.parametrize(("text", "message"), [
    ("people: {E001: {email: nobody}}\n", "routes.yaml:1:24: people.E001.email: person E001: expected {name: ..., email: "
                                          "someone@example.org}"),
    ("routes:\n  - {site: cc-taipei, to: [E404]}\n", "routes.yaml:2:28: routes[0].to[0]: 'E404' is neither an e-mail "
                                                     "address nor a person under people: add the person, or write "
                                                     "the address"),
    ("people: {E001: {email: \"a@example.org\\nBcc: all@example.org\"}}\n",
     "routes.yaml:1:24: people.E001.email: person E001: expected {name: ..., email: someone@example.org}"),
    ("routes:\n  - {site: cc-taipei, cc: [a@b.c], to: []}\n", "routes.yaml:2:5: routes[0]: expected {site: ID, team: "
                                                             "ID, role: ROLE, to: [person id or e-mail, ...]} (site, "
                                                             "team and role optional)"),
])
def test_a_bad_routing_file_is_located(archived: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    db, routes = archived
    monkeypatch.chdir(tmp_path)
    routes.write_text(text, "utf-8")
    code = main(["actions", "digest", "--db", db, "--routes", "routes.yaml", "--smtp-host", "127.0.0.1",
                 "--from", "a@example.org"])
    assert (code, capsys.readouterr().err) == (2, f"checkengine: error: {message}\n")
