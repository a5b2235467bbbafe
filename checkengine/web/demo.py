"""Demo users and inspections for trying the workspace (``checkengine serve --demo FOLDER``).

The sites, subjects and dates come from the example records of visits in FOLDER (its
``inspections/`` folder); each becomes an inspection assigned to the auditor of its site. The
demo users' passwords are made afresh at every start (random, printed once, never stored in clear
or in the code): a person trying the demo reads them from the terminal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkengine.archive.people import link_person, person_links
from checkengine.archive.store import Store, now
from checkengine.errors import UserError
from checkengine.web.auth import hash_password
from checkengine.web.evaluation import Library
from checkengine.yamlio import load_file


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    sites: tuple[str, ...]  # "*": every site
    #: what this user does in the loop (printed beside the login)
    purpose: str = ""
    #: who they are in the records (``checkengine serve link-person``): a person id, owner roles
    person: str | None = None
    owner_roles: tuple[str, ...] = ()
    #: a demo PKCS#12 key store is made for them to upload on their profile
    signs: bool = False


#: call-centre and branch sites as in the example month. The team leader is E001, 王小明, the
#: leader of team T1 in the example month (reports.yaml); cs-floor's failed items are followed up
#: by the team leader (``follow_up: {owner: team_leader}``), and the workspace's floor records name
#: no team leader, so the action belongs to the team-leader role at cc-taipei - leader.wang's.
USERS = (
    DemoUser("auditor.lin", "林品管 (auditor)", "auditor", ("cc-taipei",),
             "fills, submits and signs the call centre's checklists", signs=True),
    DemoUser("auditor.chen", "陳稽核 (auditor)", "auditor", ("br-banqiao", "br-xinyi"),
             "fills, submits and signs the branches' checklists", signs=True),
    DemoUser("manager.wang", "王主任 (site manager)", "site_manager", ("cc-taipei",),
             "reviews: sends back or accepts and countersigns; verifies actions; schedules", signs=True),
    DemoUser("manager.huang", "黃經理 (site manager)", "site_manager", ("br-banqiao",),
             "reviews and countersigns the Banqiao branch's inspections", signs=True),
    DemoUser("leader.wang", "王小明 (team leader, T1)", "auditor", ("cc-taipei",),
             "E001, team leader: works the corrective actions of failed floor items (My actions)",
             person="E001", owner_roles=("team_leader",)),
    DemoUser("author.liu", "劉規範 (policy author)", "policy_author", ()),
    DemoUser("admin", "Administrator", "administrator", ("*",), "sees everything; the audit log"),
)


def _visits(folder: Path, library: Library) -> list[dict[str, Any]]:
    records = []
    for path in sorted((folder / "inspections").glob("*.yaml")):
        data = load_file(path).data
        if isinstance(data, dict) and isinstance(data.get("site"), dict) and any(
                data.get("kind") in served.kinds for served in library.books.values()):
            records.append(data)
    return records


def seed(store: Store, folder: Path, library: Library) -> list[tuple[DemoUser, str]]:
    """Sites, demo users (new passwords each time) and, the first time, one inspection per example
    visit. Returns each demo user with the password it now has."""
    if not (folder / "inspections").is_dir():
        raise UserError(f"--demo {folder}: no inspections/ folder there; give the example month "
                        "(examples/month-2026-11)")
    visits = _visits(folder, library)
    logins: list[tuple[DemoUser, str]] = []
    with store.writing():
        for record in visits:
            store.add_site(record["site"])
        every = list(store.sites())
        for demo in USERS:
            password = secrets.token_urlsafe(12)
            sites = every if demo.sites == ("*",) else [s for s in demo.sites if s in every]
            user = store.user_named(demo.username)
            if user is None:
                store.add_user(username=demo.username, name=demo.name, role=demo.role,
                               password_hash=hash_password(password), sites=sites)
            else:
                store.set_password(user.id, hash_password(password))
            logins.append((demo, password))
        _link_people(store)
        store.log("demo users made or their passwords renewed", user=None, address=None, username="checkengine serve")
        admin = store.user_named("admin")
        assert admin is not None
        if not store.inspections_visible_to(admin):
            for record in visits:
                _assign(store, record, library, admin.id)
    return logins


def _link_people(store: Store) -> None:
    """Link the demo users who are someone in the records (once: a link is history, kept)."""
    for demo in USERS:
        user = store.user_named(demo.username)
        if user is None or not (demo.person or demo.owner_roles):
            continue
        link = person_links(store, [user.id]).get(user.id)
        if link is not None and link.person == demo.person and set(link.owner_roles) == set(demo.owner_roles):
            continue
        link_person(store, user=user.id, person=demo.person, owner_roles=demo.owner_roles, set_by="admin", at=now())
        store.log("person linked", user=None, address=None, username="checkengine serve", target=demo.username,
                  detail={"person": demo.person, "owner_roles": sorted(demo.owner_roles)})


@dataclass(frozen=True)
class DemoKey:
    user: DemoUser
    p12: Path
    cert: Path
    password: str


def make_keys(folder: Path) -> list[DemoKey]:
    """A self-signed test key store (PKCS#12) for each demo user who signs, made afresh in
    FOLDER/USERNAME/ at every start with a random password (printed once, like the logins). The
    user uploads ``key.p12`` on their profile; ``cert.pem`` is trusted by the demo's verify page."""
    from checkengine.pdf.keys import new_self_signed

    keys = []
    for demo in USERS:
        if not demo.signs:
            continue
        password = secrets.token_urlsafe(9)
        files = new_self_signed(demo.name.split(" (")[0], folder / demo.username, password.encode(), days=30,
                                force=True)
        keys.append(DemoKey(demo, files.p12, files.cert_pem, password))
    return keys


def _assign(store: Store, record: dict[str, Any], library: Library, created_by: int) -> None:
    book = next(b.book.id for b in library.books.values() if record["kind"] in b.kinds)
    site = record["site"]["id"]
    auditor = next((u for u in store.users() if u.role == "auditor" and site in u.sites), None)
    if auditor is None:
        return
    iid = store.add_inspection(site=site, rulebook=book, kind=record["kind"], subject=record.get("subject") or {},
                               due=str(record.get("timestamp", ""))[:10], assigned_to=auditor.id,
                               created_by=created_by)
    store.log("inspection assigned", user=None, address=None, username="checkengine serve",
              target=f"inspection {iid}", detail={"auditor": auditor.username, "rulebook": book})
