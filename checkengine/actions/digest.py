"""One e-mail a day per person: the actions routed to them, through a configured SMTP server.

Routing (a YAML file, docs/actions.md): ``people`` gives each person's e-mail address;
``routes`` send a site's (and team's, and owner role's) actions to people. An action goes to its
owner when the owner has an address, and to everyone a matching route names. Each person gets one
digest a day: the sending is recorded in the store after the server accepted it, and a person
already sent that day's digest is skipped, so a rerun the same day sends nothing twice.

The password comes from the environment only (``CHECKENGINE_SMTP_PASSWORD``), never from an option
or a file, and is never printed.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Mapping

from checkengine.actions.lifecycle import Action
from checkengine.archive.store import Store, now
from checkengine.archive.tracking import digest_sent, record_digest
from checkengine.errors import Location, UserError
from checkengine.yamlio import Document, load_file

PASSWORD_ENV = "CHECKENGINE_SMTP_PASSWORD"
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")  # one bare address, nothing a header could break on
_ROUTE_KEYS = {"site", "team", "role", "to"}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    starttls: bool
    user: str | None
    sender: str
    timeout: float = 30.0


@dataclass
class Routes:
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    routes: list[dict[str, Any]] = field(default_factory=list)

    def address(self, person: str) -> str | None:
        if "@" in person:
            return person
        return (self.people.get(person) or {}).get("email")

    def recipients(self, action: Action) -> list[str]:
        found = []
        if action.owner and self.address(action.owner):
            found.append(action.owner)
        for route in self.routes:
            if route.get("site") not in (None, action.site) or route.get("team") not in (None, action.team):
                continue
            if route.get("role") not in (None, action.owner_role):
                continue
            found.extend(p for p in route["to"] if p not in found)
        return found


def _bad(doc: Document, path: tuple[str | int, ...], what: str) -> UserError:
    loc: Location = doc.location(path)
    return UserError(f"{loc.prefix()}{what}")


def load_routes(path: Path) -> Routes:
    """The routing file at *path*, checked (a UserError points at the first mistake)."""
    doc = load_file(path)
    data = doc.data
    if not isinstance(data, dict) or not set(data) <= {"checkengine", "people", "routes"}:
        raise _bad(doc, (), "expected a mapping with people: and routes: (docs/actions.md)")
    people = data.get("people") or {}
    if not isinstance(people, dict):
        raise _bad(doc, ("people",), "expected a mapping of person id -> {name, email}")
    for pid, person in people.items():
        if not isinstance(person, dict) or not isinstance(person.get("email"), str) or not _ADDRESS.match(person["email"]):
            where = ("people", pid, "email") if isinstance(person, dict) and "email" in person else ("people", pid)
            raise _bad(doc, where, f"person {pid}: expected {{name: ..., email: someone@example.org}}")
    routes = data.get("routes") or []
    if not isinstance(routes, list):
        raise _bad(doc, ("routes",), "expected a list of {site, team, role, to: [person, ...]}")
    for i, route in enumerate(routes):
        if not isinstance(route, dict) or not set(route) <= _ROUTE_KEYS or not isinstance(route.get("to"), list):
            raise _bad(doc, ("routes", i), "expected {site: ID, team: ID, role: ROLE, to: [person id or e-mail, ...]} "
                       "(site, team and role optional)")
        for j, person in enumerate(route["to"]):
            if not isinstance(person, str) or (not _ADDRESS.match(person) and person not in people):
                raise _bad(doc, ("routes", i, "to", j), f"{person!r} is neither an e-mail address nor a person under "
                           "people: add the person, or write the address")
    return Routes({str(k): v for k, v in people.items()}, routes)


def plan(actions: list[Action], routes: Routes) -> dict[str, list[Action]]:
    """The actions each person's digest holds (open, assigned, in progress, done awaiting verification)."""
    out: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        if action.status == "closed":
            continue
        for person in routes.recipients(action):
            out[person].append(action)
    return dict(out)


def compose(person: str, actions: list[Action], routes: Routes, *, day: date, sender: str,
            when: datetime | date | None = None) -> EmailMessage:
    overdue = [a for a in actions if a.overdue(when)]
    lines = [f"Corrective actions for {(routes.people.get(person) or {}).get('name', person)} on {day.isoformat()}:", ""]
    order = sorted(actions, key=lambda a: (not a.overdue(when), a.status == "done", a.due or "9999", a.id))
    for a in order:
        flag = "OVERDUE " if a.overdue(when) else ""
        who = " ".join(str(v) for v in (a.site, a.team, a.employee) if v)
        lines.append(f"  #{a.id} {flag}{a.status}: {a.rule} ({a.book}) at {who}; due {a.due or 'not set'}; "
                     f"owner {a.owner or a.owner_role or 'not set'}")
    lines += ["", "checkengine actions show ID gives each action's history."]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = routes.address(person) or person
    message["Subject"] = (f"checkengine: {len(actions)} corrective action(s), {len(overdue)} overdue "
                          f"({day.isoformat()})")
    message.set_content("\n".join(lines) + "\n")
    return message


def _connect(config: SmtpConfig, password: str | None) -> smtplib.SMTP:
    where = f"SMTP server {config.host}:{config.port}"
    try:
        server = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    except OSError as exc:
        raise UserError(f"cannot reach the {where} ({exc.strerror or exc}); check --smtp-host and --smtp-port") from None
    try:
        if config.starttls:
            server.starttls(context=ssl.create_default_context())
        if config.user:
            if password is None:
                raise UserError(f"--smtp-user {config.user}: the password is read from {PASSWORD_ENV} only; set it")
            server.login(config.user, password)
    except smtplib.SMTPNotSupportedError:
        server.close()
        raise UserError(f"the {where} does not offer STARTTLS; use --no-starttls only on a trusted network") from None
    except smtplib.SMTPAuthenticationError:
        server.close()
        raise UserError(f"the {where} refused the login of {config.user}; check the user and {PASSWORD_ENV}") from None
    except (smtplib.SMTPException, OSError) as exc:
        server.close()
        raise UserError(f"the {where} failed: {type(exc).__name__}") from None
    return server


@dataclass
class DigestReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)


def send_digests(store: Store, actions: list[Action], routes: Routes, config: SmtpConfig, *, day: date,
                 password: str | None, when: datetime | date | None = None) -> DigestReport:
    """Send each person their digest of *day* unless the store says it went already."""
    report = DigestReport()
    todo: list[tuple[str, list[Action]]] = []
    for person, theirs in sorted(plan(actions, routes).items()):
        address = routes.address(person)
        if address is None:
            report.unreachable.append(person)
        elif digest_sent(store, day.isoformat(), address):
            report.skipped.append(address)
        else:
            todo.append((person, theirs))
    if not todo:
        return report
    server = _connect(config, password)
    try:
        for person, theirs in todo:
            message = compose(person, theirs, routes, day=day, sender=config.sender, when=when)
            address = str(message["To"])
            try:
                server.send_message(message)
            except smtplib.SMTPRecipientsRefused:
                report.unreachable.append(address)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                raise UserError(f"the SMTP server {config.host}:{config.port} failed while sending to {address} "
                                f"({type(exc).__name__}); {len(report.sent)} digests were sent and recorded, run "
                                "again to send the rest") from None
            with store.writing():
                record_digest(store, day=day.isoformat(), recipient=address, at=now(), actions=[a.id for a in theirs])
            report.sent.append(address)
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()
    return report


def smtp_from(options: Mapping[str, Any]) -> SmtpConfig:
    """The SMTP configuration from the command's options (already merged with CHECKENGINE_SMTP_*)."""
    if not options.get("host"):
        raise UserError("no SMTP server: give --smtp-host HOST (or set CHECKENGINE_SMTP_HOST)")
    if not options.get("sender"):
        raise UserError("no sender address: give --from ADDRESS (or set CHECKENGINE_SMTP_FROM)")
    return SmtpConfig(options["host"], int(options.get("port") or 587), bool(options.get("starttls")),
                      options.get("user"), options["sender"])
